#pragma once
// CapStore: spend caps (per user, per key, and each user's allowance on the operator's default keys)
// and what their subjects spent, as the caps routes and the gateway's spend ledger read them.
// Every call follows the rules in store/store.h (threads, one transaction per change, errors).

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace keyrelay::store {

class CapStore {
 public:
  virtual ~CapStore() = default;

  // The caps of `subject_id`; a subject whose caps were never set reads as no limits (updated_at
  // absent). For a key: not_found when the key does not exist or, with `owner_id`, is someone
  // else's; the record's owner_id is the key's owner. For a user or an allowance: not_found when
  // the user does not exist (or, with `owner_id`, is not that user).
  virtual core::Result<CapRecord> find_caps(CapSubject subject, std::string_view subject_id,
                                            std::optional<std::string_view> owner_id) = 0;

  // Builds the audit event (cap.updated) of a change from the caps before and after it; its error
  // aborts the change.
  using CapChange = std::function<core::Result<AuditEvent>(const CapRecord& before, const CapRecord& after)>;
  // Replaces the caps of `subject_id` with `limits` (no limits at all removes them), stamped `at`,
  // and appends change(before, after)'s event in the same transaction; bumps the generation (the
  // gateways' copies of the caps reload). Returns the caps as stored. Errors as find_caps(), and
  // invalid_request, changing nothing, for a negative limit.
  virtual core::Result<CapRecord> set_caps(CapSubject subject, std::string_view subject_id,
                                           std::optional<std::string_view> owner_id, const CapLimits& limits,
                                           TimePoint at, const CapChange& change) = 0;

  // Every subject's caps that are set (any owner: the gateway's copy; never reachable from a
  // user's request), ordered by subject and id.
  virtual core::Result<std::vector<CapRecord>> all_caps() = 0;

  // What `subject_id` spent, in micro-USD, on the UTC days from_day..to_day (YYYY-MM-DD,
  // inclusive), from the booked usage: a user's own keys together, one key, or a user's use of the
  // operator's default keys. Any owner (callers check ownership first). invalid_request when a day
  // is malformed.
  virtual core::Result<std::int64_t> spent_micro_usd(CapSubject subject, std::string_view subject_id,
                                                     std::string_view from_day, std::string_view to_day) = 0;
};

}  // namespace keyrelay::store
