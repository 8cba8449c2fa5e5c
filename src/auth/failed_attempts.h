#pragma once
// The audit trail of failed authentications, kept bounded (issue 12). Every failure used to be its
// own auth.failed event on the never-pruned management chain: a client could grow the database
// without limit just by sending bad tokens. Now failures are coalesced per client address group
// (core::address_group: an IPv4 address, an IPv6 /64) and window:
//   - the first failure of a group in a window is written at once (count 1), so an operator sees an
//     attack begin without delay;
//   - later ones in the same window are only counted, and take_summaries() turns each group's count
//     into one event (details.count) once its window has closed, or at shutdown;
//   - at most `max_groups` groups are tracked; failures from further groups share one overflow
//     count (ip absent), so even a widely spread attack adds a bounded number of rows per window.
// The events go to `chain`, the writer's use chain, which audit retention prunes.
//
// Thread-safe (one mutex). Touches no store: the caller writes the events it returns.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "store/records.h"

namespace keyrelay::auth {

// One failed authentication, with the request facts its event records.
struct FailedAttempt {
  std::string reason;  // short, generic, never a credential
  std::optional<std::string> ip;
  std::optional<std::string> user_agent;
  std::optional<std::string> request_id;
};

struct FailedAttemptOptions {
  std::string chain;                            // where the auth.failed events go
  std::chrono::milliseconds window{60'000};     // one summary per group and window
  std::size_t max_groups = 10'000;              // beyond: one shared overflow count
};

class FailedAttemptLog {
 public:
  // `clock` must outlive the log.
  FailedAttemptLog(const core::Clock& clock, FailedAttemptOptions options);

  // Counts `attempt` and returns the auth.failed events to write now: the attempt's own (count 1)
  // when it is the first of its group in a window, after the summary of the group's previous window
  // if that closed with failures still unwritten; nothing when it was only counted.
  std::vector<store::AuditEvent> record(const FailedAttempt& attempt);

  // One auth.failed event (details.count = failures not yet written) per group whose window has
  // closed — or per group at all with `everything` (shutdown). Groups whose window closed are
  // forgotten, so their next failure starts a new window.
  std::vector<store::AuditEvent> take_summaries(bool everything);

 private:
  struct Group {
    store::TimePoint window_start{};
    std::int64_t pending = 0;  // counted, not yet written
    FailedAttempt last;        // the facts of the latest failure, for the summary
  };

  store::AuditEvent event(const FailedAttempt& facts, std::int64_t count, const std::string& group,
                          std::optional<store::TimePoint> first_at) const;
  bool is_closed(const Group& group, store::TimePoint now) const { return now - group.window_start >= options_.window; }
  // Counts `attempt` into `slot` (the group `name`, or the overflow), opening it when it is empty
  // or its window has closed; appends the events that are due to `out`.
  void count(std::optional<Group>& slot, const std::string& name, const FailedAttempt& attempt, store::TimePoint now,
             std::vector<store::AuditEvent>& out) const;

  const core::Clock& clock_;
  const FailedAttemptOptions options_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::optional<Group>> groups_;  // by address group; guarded by mutex_
  std::optional<Group> overflow_;  // guarded by mutex_
};

}  // namespace keyrelay::auth
