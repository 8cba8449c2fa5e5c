#pragma once
// KeyInventoryStore: reads over the keys of every owner — the expiry sweeper, key metrics and an
// admin's global health summary. Kept apart from KeyStore so that code serving a user's request,
// which takes KeyStore, has no call that crosses owners.
// Every call follows the rules in store/store.h (threads, one transaction per change, errors).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace keyrelay::store {

// Where a page of keys_expiring_before() ended.
struct ExpiryPosition {
  TimePoint expires_at{};
  std::string id;
};

struct KeyCount {
  std::string provider;
  KeyStatus status = KeyStatus::active;
  std::int64_t count = 0;
};

class KeyInventoryStore {
 public:
  virtual ~KeyInventoryStore() = default;

  // Enabled keys of every owner whose expires_at is before `before`, ordered by (expires_at, id),
  // after `after` when given (the last key of the previous page), at most `limit` (the expiry
  // sweeper; not scoped to an owner, so never reachable from a user's request).
  virtual core::Result<std::vector<KeyRecord>> keys_expiring_before(TimePoint before,
                                                                    const std::optional<ExpiryPosition>& after,
                                                                    std::size_t limit) = 0;
  // How many keys (of every owner) each provider has in each derived status at `now` (metrics).
  virtual core::Result<std::vector<KeyCount>> key_counts(TimePoint now) = 0;
  // Keys of every owner ordered by id, after `after_id` when given, at most `limit` (an admin's
  // global key health summary; not scoped to an owner, so never reachable from a user's request).
  virtual core::Result<std::vector<KeyRecord>> keys_after(const std::optional<std::string>& after_id,
                                                          std::size_t limit) = 0;
};

}  // namespace keyrelay::store
