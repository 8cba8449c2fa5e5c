#include "auth/failed_attempts.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "audit/event_builder.h"
#include "core/address_group.h"
#include "core/time_format.h"

namespace keyrelay::auth {

FailedAttemptLog::FailedAttemptLog(const core::Clock& clock, FailedAttemptOptions options)
    : clock_(clock), options_(std::move(options)) {}

store::AuditEvent FailedAttemptLog::event(const FailedAttempt& facts, std::int64_t count, const std::string& group,
                                          std::optional<store::TimePoint> first_at) const {
  // Nobody authenticated: keyrelay reports the attempt, with the facts of the request.
  audit::Actor attempt = audit::Actor::system();
  attempt.ip = facts.ip;
  attempt.user_agent = facts.user_agent;
  attempt.request_id = facts.request_id;
  store::AuditEvent e = audit::new_event(clock_, options_.chain, "auth.failed", store::Outcome::failure, attempt);
  boost::json::object details{{"reason", facts.reason}, {"count", count}};
  if (!group.empty()) details["address_group"] = group;
  if (first_at) {
    // A summary: the failures it counts happened within this window.
    details["window_start"] = core::format_rfc3339(*first_at);
    details["window_end"] = core::format_rfc3339(e.time);
  }
  e.details_json = boost::json::serialize(details);
  return e;
}

void FailedAttemptLog::count(std::optional<Group>& slot, const std::string& name, const FailedAttempt& attempt,
                             store::TimePoint now, std::vector<store::AuditEvent>& out) const {
  if (slot && is_closed(*slot, now)) {
    if (slot->pending > 0) out.push_back(event(slot->last, slot->pending, name, slot->window_start));
    slot.reset();
  }
  if (!slot) {
    slot = Group{now, 0, attempt};
    out.push_back(event(attempt, 1, name, std::nullopt));
    return;
  }
  ++slot->pending;
  slot->last = attempt;
}

std::vector<store::AuditEvent> FailedAttemptLog::record(const FailedAttempt& attempt) {
  const auto now = clock_.now();
  const std::string group = attempt.ip ? core::address_group(*attempt.ip) : std::string();
  std::vector<store::AuditEvent> out;
  std::lock_guard lock(mutex_);
  auto it = groups_.find(group);
  if (it == groups_.end() && groups_.size() >= options_.max_groups) {
    // Too many clients at once: the rest are counted together, without an address.
    FailedAttempt anonymous = attempt;
    anonymous.ip.reset();
    count(overflow_, "", anonymous, now, out);
    return out;
  }
  if (it == groups_.end()) it = groups_.emplace(group, std::nullopt).first;
  count(it->second, group, attempt, now, out);
  return out;
}

std::vector<store::AuditEvent> FailedAttemptLog::take_summaries(bool everything) {
  const auto now = clock_.now();
  std::vector<store::AuditEvent> out;
  std::lock_guard lock(mutex_);
  auto take = [&](std::optional<Group>& slot, const std::string& name) {
    if (!slot || !(everything || is_closed(*slot, now))) return false;
    if (slot->pending > 0) out.push_back(event(slot->last, slot->pending, name, slot->window_start));
    slot.reset();
    return true;
  };
  for (auto it = groups_.begin(); it != groups_.end();) {
    if (take(it->second, it->first) || !it->second) it = groups_.erase(it);
    else ++it;
  }
  take(overflow_, "");
  return out;
}

}  // namespace keyrelay::auth
