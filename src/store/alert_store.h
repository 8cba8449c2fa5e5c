#pragma once
// AlertStore: monitoring alerts — raised (coalescing repeats), listed, resolved.
// Every call follows the rules in store/store.h (threads, one transaction per change, errors).

#include <optional>
#include <string_view>

#include "core/result.h"
#include "store/records.h"

namespace keyrelay::store {

class AlertStore {
 public:
  virtual ~AlertStore() = default;

  // Raises `alert`. When an open alert with the same (rule, user_id, key_id, provider) exists (absent
  // equals absent) the raise coalesces into it: count + 1, last_seen moves forward to alert.last_seen,
  // severity becomes the higher of the two, message becomes alert.message; its id and first_seen
  // stay. Otherwise `alert` is stored as a new open alert (its status and resolved_at are ignored).
  // Returns the alert as stored. Appends `event` (alert.raised) in the same transaction.
  virtual core::Result<AlertRecord> raise_alert(const AlertRecord& alert, AuditEvent event) = 0;
  // Newest first: by last_seen, then id (both descending).
  virtual core::Result<Page<AlertRecord>> list_alerts(const AlertFilter& filter, const PageRequest& page) = 0;
  // Sets status resolved and resolved_at = `at`, and appends `event` (alert.resolved). Idempotent
  // like revoke_token(): an already resolved alert keeps its resolved_at and is returned as it is,
  // and the event is still appended (the attempt is part of the trail). not_found when the alert
  // does not exist or, with `user_id`, is someone else's.
  virtual core::Result<AlertRecord> resolve_alert(std::string_view id, std::optional<std::string_view> user_id,
                                                  TimePoint at, AuditEvent event) = 0;
};

}  // namespace keyrelay::store
