#pragma once
// RotationStore: master-key rotation — which keys still depend on which master version, the
// re-wrap batches, and the one transaction that decides a master-key change.
// Every call follows the rules in store/store.h (threads, one transaction per change, errors).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "store/records.h"

namespace keyrelay::store {

// One key moved to another master version by a rotation batch.
struct RewrappedKey {
  std::string id;
  std::uint32_t from_version = 0;  // the row is updated only if it is still on this version
  std::uint32_t secret_version = 0;  // ... and still holds this secret (a rotation meanwhile wins)
  std::uint32_t to_version = 0;
  core::Bytes wrapped_data_key;
  core::Bytes fingerprint;         // recomputed under the new version
};

// What a master-key change is decided on (record_master_key_change), read inside its transaction.
struct MasterKeyFacts {
  std::vector<NodeRecord> live_nodes;             // nodes live at the change's time, by id
  std::map<std::uint32_t, std::int64_t> key_rows;  // as rows_by_master_version()
};

class RotationStore {
 public:
  virtual ~RotationStore() = default;

  // Up to `limit` keys whose master_version differs from `version`, any owner.
  virtual core::Result<std::vector<KeyRecord>> keys_not_on_version(std::uint32_t version, std::size_t limit) = 0;
  // Applies a batch in one transaction; returns how many rows changed (rows that moved meanwhile are skipped).
  virtual core::Result<std::size_t> rewrap_keys(const std::vector<RewrappedKey>& batch) = 0;
  // A re-wrap run is over (after its last rewrap_keys, also when it failed): the engine lets go of
  // what it held for the run and, where it can, removes the superseded copies of the rows it
  // rewrote from its log (SQLite: checkpoint and truncate the WAL). Best effort.
  virtual void end_rewrap() noexcept {}
  // Keys whose sealed secret still depends on each master version. Audit events are not counted:
  // they are never re-sealed, and a retired version keeps its audit key (docs/decisions.md).
  virtual core::Result<std::map<std::uint32_t, std::int64_t>> rows_by_master_version() = 0;
  // One write transaction for a master-key change (rotation, retirement): `decide` sees the facts
  // as they are inside it (live nodes at `now`, key rows per master version) and returns the audit
  // event to append (master_key.rotated, master_key.retired) or an error, which writes nothing and
  // is returned. No writer can change the facts between the decision and the commit. `decide` must
  // not call the store.
  using MasterKeyDecision = std::function<core::Result<AuditEvent>(const MasterKeyFacts& facts)>;
  virtual core::Result<void> record_master_key_change(TimePoint now, const MasterKeyDecision& decide) = 0;
};

}  // namespace keyrelay::store
