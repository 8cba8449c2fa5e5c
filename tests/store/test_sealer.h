#pragma once
// TestSealer: a ChainSealer for the store tests, with fault injection.
//
// hash = SHA-256(prev_hash ‖ seq as 8 bytes big-endian ‖ event id), master_version as set (1 by
// default), so a test can recompute the chain. fail_call(n) makes the n-th call from now fail, which
// drives the fail-at-every-step tests. Thread-safe (the concurrency tests seal from many threads).

#include <atomic>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "store/store.h"

namespace keyrelay::store::test {

class TestSealer final : public ChainSealer {
 public:
  core::Result<void> seal(AuditEvent& event, core::ByteView prev_hash) const override;
  // mac = SHA-256(chain ‖ seq ‖ hash ‖ count), master_version as set.
  core::Result<void> seal_checkpoint(AuditCheckpoint& checkpoint) const override;

  // The hash seal() gives an event with this id and seq after `prev_hash`.
  static core::Bytes chain_hash(core::ByteView prev_hash, std::int64_t seq, std::string_view id);

  void set_master_version(std::uint32_t version) { version_ = version; }
  // Call number `n` counted from now (0 = the next call) fails with internal; later calls succeed.
  void fail_call(int n) { fail_at_ = calls_.load() + n; }
  void fail_every_call() { fail_all_ = true; }
  void heal() {
    fail_at_ = -1;
    fail_all_ = false;
  }
  int calls() const { return calls_.load(); }

 private:
  mutable std::atomic<int> calls_{0};
  std::atomic<int> fail_at_{-1};
  std::atomic<bool> fail_all_{false};
  std::atomic<std::uint32_t> version_{1};
};

}  // namespace keyrelay::store::test
