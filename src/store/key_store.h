#pragma once
// KeyStore: one owner's provider keys — create, read, list, change, delete. Every call is scoped
// to an owner (another owner's key is not_found); the reads across owners are in KeyInventoryStore.
// Every call follows the rules in store/store.h (threads, one transaction per change, errors).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace keyrelay::store {

struct KeyFilter {
  std::string owner_id;                    // required: lists are always scoped to one owner
  std::optional<std::string> provider;
  std::optional<KeyStatus> status;         // derived status at `now`
  std::optional<TimePoint> expires_before; // only keys with expires_at < this (expiring list)
  TimePoint now{};
};

// What update_key_at_version() did.
struct KeyUpdate {
  KeyRecord key;         // the key as stored after the call
  bool applied = false;  // false: its secret version was no longer the expected one; nothing was written
};

class KeyStore {
 public:
  virtual ~KeyStore() = default;

  // conflict when (owner, provider, name) exists, or a key of (owner, provider) whose fingerprint
  // is key.fingerprint or one of key.equivalent_fingerprints.
  virtual core::Result<void> insert_key(const KeyRecord& key, AuditEvent event) = 0;
  // Bulk load (an import, the re-wrap benchmark's seed): each key is checked and stored with its
  // event as insert_key() does, in order, and the first error stops the load and is returned.
  // An engine may group the keys into fewer transactions (SQLite: one for the call, all or
  // nothing); the default is one insert_key() per key, so keys before a failed one stay stored.
  virtual core::Result<void> insert_keys(std::vector<std::pair<KeyRecord, AuditEvent>> keys) {
    for (auto& [key, event] : keys) {
      if (auto inserted = insert_key(key, std::move(event)); !inserted) return inserted;
    }
    return core::ok();
  }
  virtual core::Result<KeyRecord> get_key(std::string_view owner_id, std::string_view id) = 0;
  // Ordered by (provider, priority, created_at, id).
  virtual core::Result<Page<KeyRecord>> list_keys(const KeyFilter& filter, const PageRequest& page) = 0;
  // Every key of `owner_id` (no paging): the gateway's cache fill.
  virtual core::Result<std::vector<KeyRecord>> keys_of_owner(std::string_view owner_id) = 0;

  // Read-modify-write in one transaction: loads the key of `owner_id`, lets `change` edit it and
  // return the audit event to append, then writes the key and the event. If `change` fails,
  // nothing is written and its error is returned. `change` must not call the store. conflict as
  // insert_key() (against the owner's other keys).
  using KeyChange = std::function<core::Result<AuditEvent>(KeyRecord& key)>;
  virtual core::Result<KeyRecord> update_key(std::string_view owner_id, std::string_view id,
                                             const KeyChange& change) = 0;
  // update_key() as a compare-and-set on the secret: `change` runs and its result is written only
  // while the key's secret version is still `expected_version`, compared inside the same write
  // transaction. A key given a new secret since (rotated) is left as it is: applied = false,
  // `change` is not called, nothing is written (no event, no generation bump). So a verdict about
  // one secret never lands on the next. Errors as update_key().
  virtual core::Result<KeyUpdate> update_key_at_version(std::string_view owner_id, std::string_view id,
                                                        std::uint32_t expected_version, const KeyChange& change) = 0;
  // Deletes the key and its sealed secret (overwritten on disk, not just unlinked).
  virtual core::Result<void> delete_key(std::string_view owner_id, std::string_view id, AuditEvent event) = 0;
};

}  // namespace keyrelay::store
