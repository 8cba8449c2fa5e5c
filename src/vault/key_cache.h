#pragma once
// KeyCache: every key record of an owner (still sealed), kept in memory so the gateway's hot path
// never waits on the database. Snapshots are immutable and shared; a change to an owner's keys
// invalidates that owner, a change made by another process (store generation moved) clears all.
//
// Thread-safe (one mutex around the map; loading happens outside it). keys_of() blocks on a miss:
// call it on a worker thread. Plaintext secrets are never cached here.

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "store/key_store.h"

namespace keyrelay::vault {

class KeyCache {
 public:
  using Snapshot = std::shared_ptr<const std::vector<store::KeyRecord>>;

  explicit KeyCache(store::KeyStore& store) : store_(store) {}

  // The owner's keys, from memory or loaded from the store.
  core::Result<Snapshot> keys_of(std::string_view owner_id);
  // The cached snapshot only (never blocks); null when not cached.
  Snapshot cached(std::string_view owner_id) const;

  void invalidate(std::string_view owner_id);
  void clear();

  // Lookups answered from memory, and loads from the store (a cached() probe that misses is not
  // counted: the keys_of() after it is).
  std::uint64_t hits() const noexcept { return hits_.load(std::memory_order_relaxed); }
  std::uint64_t misses() const noexcept { return misses_.load(std::memory_order_relaxed); }

 private:
  store::KeyStore& store_;
  mutable std::mutex mutex_;  // guards entries_ and epoch_
  std::unordered_map<std::string, Snapshot> entries_;
  std::uint64_t epoch_ = 0;   // bumped by every invalidation, so a load racing one is not stored
  mutable std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> misses_{0};
};

}  // namespace keyrelay::vault
