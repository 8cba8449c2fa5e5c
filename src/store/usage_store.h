#pragma once
// UsageStore: the gateway's usage counts per key and UTC day, and their reports.
// Every call follows the rules in store/store.h (threads, one transaction per change, errors).

#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace keyrelay::store {

class UsageStore {
 public:
  virtual ~UsageStore() = default;

  // Books the gateway's counts (batched off the request path), all deltas in one transaction: adds
  // each delta to its key's row of the day of `at` (UTC) and to the key's usage totals, and moves the
  // key's last_used_at to `at` unless it is already later (batches may arrive out of order). A delta
  // whose key no longer exists (or is not `owner_id`'s) is skipped silently: the key is gone.
  // invalid_request, writing nothing, when a count is negative. No audit event and no generation
  // bump, like append_audit(): it runs for every gateway request, and cached keys need not carry
  // fresh counters (reads of usage and of a key go to the store).
  virtual core::Result<void> add_usage(const std::vector<UsageDelta>& deltas) = 0;
  // The owner's usage on the days from_day..to_day (inclusive), summed per group of the chosen
  // dimensions and ordered by day, provider, key_id; a dimension not grouped by is absent in the rows.
  // Only groups with usage appear, except that a query grouped by nothing returns exactly one row
  // (the totals, zero when there was no usage). Usage of keys deleted since still counts.
  // invalid_request when a day is not YYYY-MM-DD; from_day > to_day gives no usage.
  virtual core::Result<std::vector<UsageRow>> usage(const UsageQuery& query) = 0;
};

}  // namespace keyrelay::store
