#include "monitor/alert_service.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "audit/event_builder.h"
#include "core/ids.h"

namespace keyrelay::monitor {

core::Result<store::AlertRecord> AlertService::raise(const AlertSpec& spec, const audit::Actor* caller) {
  const audit::Actor system = audit::Actor::system();
  const audit::Actor& actor = caller != nullptr ? *caller : system;

  const auto now = clock_.now();
  store::AlertRecord alert;
  alert.id = core::uuid_v7(now);
  alert.rule = spec.rule;
  alert.severity = spec.severity;
  alert.user_id = spec.user_id;
  alert.key_id = spec.key_id;
  alert.provider = spec.provider;
  alert.message = spec.message;
  alert.first_seen = alert.last_seen = now;

  auto event = audit::new_event(clock_, audit_chain_, "alert.raised", store::Outcome::success, actor);
  event.key_id = spec.key_id;
  event.key_owner_id = spec.user_id;  // the alert's user sees its event, whoever raised it
  event.provider = spec.provider;
  event.details_json = boost::json::serialize(boost::json::object{
      {"rule", spec.rule}, {"severity", store::alert_severity_name(spec.severity)}, {"alert_user_id", spec.user_id}});
  auto stored = store_.raise_alert(alert, std::move(event));
  if (!stored) return stored;
  for (auto* listener : listeners_) listener->alert_raised(*stored);
  return stored;
}

core::Result<store::AlertRecord> AlertService::resolve(std::string_view id, std::optional<std::string_view> owner_id,
                                                      const audit::Actor& caller) {
  const auto now = clock_.now();
  auto event = audit::new_event(clock_, audit_chain_, "alert.resolved", store::Outcome::success, caller);
  event.details_json = boost::json::serialize(boost::json::object{{"alert_id", id}});
  auto resolved = store_.resolve_alert(id, owner_id, now, std::move(event));
  if (!resolved) return resolved;
  // An alert resolved earlier keeps its resolved_at: only a resolution at `now` is news. (The store
  // keeps milliseconds.)
  const auto ms = [](store::TimePoint t) { return std::chrono::floor<std::chrono::milliseconds>(t); };
  if (resolved->resolved_at && ms(*resolved->resolved_at) == ms(now))
    for (auto* listener : listeners_) listener->alert_resolved(*resolved);
  return resolved;
}

core::Result<bool> AlertService::raised_since(std::string_view rule, std::string_view key_id, store::TimePoint since) {
  store::AlertFilter filter;
  filter.rule = std::string(rule);
  filter.key_id = std::string(key_id);
  filter.first_seen_since = since;
  store::PageRequest page;
  page.limit = 1;
  auto found = store_.list_alerts(filter, page);
  if (!found) return found.error();
  return !found->items.empty();
}

}  // namespace keyrelay::monitor
