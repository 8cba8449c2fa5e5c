#pragma once
// AuditPruneStore: retention — deletes the oldest prunable events of a chain behind a checkpoint.
// Every call follows the rules in store/store.h (threads, one transaction per change, errors).

#include <cstddef>
#include <functional>
#include <string_view>

#include "core/result.h"
#include "store/records.h"

namespace keyrelay::store {

class AuditPruneStore {
 public:
  virtual ~AuditPruneStore() = default;

  // Deletes, in one transaction, up to `limit` of the oldest events of `chain` — only prunable
  // events (is_prunable_audit_action: key.used, auth.failed) older than `cutoff`, and only from the
  // chain's oldest end — moves the chain's checkpoint
  // to the last one deleted, and appends the event `pruned_event(batch)` returns (audit.pruned, on a
  // management chain). Nothing to delete: no change, no event, pruned = 0.
  virtual core::Result<AuditPruneBatch> prune_audit(std::string_view chain, TimePoint cutoff, std::size_t limit,
                                                    const std::function<AuditEvent(const AuditPruneBatch&)>& pruned_event) = 0;
};

}  // namespace keyrelay::store
