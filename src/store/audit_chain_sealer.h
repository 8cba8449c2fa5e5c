#pragma once
// ChainSealer: links an audit event into its chain. Implemented by audit::ChainSealer (it holds the
// keyring); an engine calls it inside the append transaction, after setting event.seq.

#include "core/bytes.h"
#include "core/result.h"
#include "store/records.h"

namespace keyrelay::store {

class ChainSealer {
 public:
  virtual ~ChainSealer() = default;
  // Sets event.master_version and event.hash. `prev_hash` is empty for the first event of a chain.
  virtual core::Result<void> seal(AuditEvent& event, core::ByteView prev_hash) const = 0;
  // Sets checkpoint.master_version and checkpoint.mac over its chain, seq, hash and count.
  virtual core::Result<void> seal_checkpoint(AuditCheckpoint& checkpoint) const = 0;
};

// For a store opened only to migrate, read or be copied into (store copy, backup, restore): such a
// process appends no audit event, and an attempt is a bug (internal).
class NoChainSealing final : public ChainSealer {
 public:
  core::Result<void> seal(AuditEvent&, core::ByteView) const override {
    return core::Error::internal("this command appends no audit event");
  }
  core::Result<void> seal_checkpoint(AuditCheckpoint&) const override {
    return core::Error::internal("this command appends no audit event");
  }
};

}  // namespace keyrelay::store
