#include "monitor/expiry_sweeper.h"

#include <algorithm>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "audit/event_builder.h"
#include "core/time_format.h"
#include "logging/log.h"

namespace keyrelay::monitor {
namespace {

std::string threshold_rule(unsigned days) { return "key.expiring." + std::to_string(days) + "d"; }

std::string in_words(std::chrono::system_clock::duration left) {
  const auto hours = std::chrono::duration_cast<std::chrono::hours>(left).count();
  if (hours >= 48) return "in " + std::to_string(hours / 24) + " days";
  if (hours >= 1) return "in " + std::to_string(hours) + " hours";
  return "within the hour";
}

}  // namespace

ExpirySweeper::ExpirySweeper(store::KeyInventoryStore& keys, store::AuditAppendStore& audit, AlertService& alerts,
                             const core::Clock& clock, ExpirySweeperOptions options)
    : keys_(keys), audit_(audit), alerts_(alerts), clock_(clock), options_(std::move(options)) {
  std::sort(options_.thresholds_days.begin(), options_.thresholds_days.end());
  options_.thresholds_days.erase(std::unique(options_.thresholds_days.begin(), options_.thresholds_days.end()),
                                 options_.thresholds_days.end());
}

ExpirySweeper::~ExpirySweeper() { stop(); }

core::Result<bool> ExpirySweeper::already_raised(const store::KeyRecord& key, std::string_view rule) {
  return alerts_.raised_since(rule, key.id, key.updated_at);
}

core::Result<void> ExpirySweeper::note_expired(const store::KeyRecord& key) {
  auto e = audit::new_event(clock_, options_.audit_chain, "key.expired", store::Outcome::success,
                            audit::Actor::system());
  e.key_id = key.id;
  e.key_owner_id = key.owner_id;
  e.provider = key.provider;
  e.details_json = boost::json::serialize(
      boost::json::object{{"expires_at", core::format_rfc3339(*key.expires_at)}});
  std::vector<store::AuditEvent> events;
  events.push_back(std::move(e));
  if (auto appended = audit_.append_audit(std::move(events)); !appended) return appended.error();

  AlertSpec alert;
  alert.rule = "key.expired";
  alert.severity = store::AlertSeverity::warning;
  alert.user_id = key.owner_id;
  alert.key_id = key.id;
  alert.provider = key.provider;
  alert.message = "your " + key.provider + " key '" + key.name + "' expired at " +
                  core::format_rfc3339(*key.expires_at) + " and is no longer used; rotate it or set a new expiry";
  if (auto raised = alerts_.raise(alert); !raised) return raised.error();
  return core::ok();
}

core::Result<std::size_t> ExpirySweeper::sweep_once() {
  const auto now = clock_.now();
  const unsigned widest = options_.thresholds_days.empty() ? 0 : options_.thresholds_days.back();
  std::size_t raised = 0;
  std::optional<store::ExpiryPosition> after;
  for (;;) {
    auto keys = keys_.keys_expiring_before(now + std::chrono::days(widest), after, options_.batch);
    if (!keys) return keys.error();
    for (const auto& key : *keys) {
      auto done = sweep_key(key, now);
      if (!done) return done.error();
      raised += *done ? 1 : 0;
    }
    if (keys->size() < options_.batch) return raised;
    after = store::ExpiryPosition{*keys->back().expires_at, keys->back().id};
  }
}

core::Result<bool> ExpirySweeper::sweep_key(const store::KeyRecord& key, store::TimePoint now) {
  const auto expires_at = *key.expires_at;
  if (expires_at <= now) {
    auto done = already_raised(key, "key.expired");
    if (!done) return done.error();
    if (*done) return false;
    if (auto noted = note_expired(key); !noted) return noted.error();
    return true;
  }
  // The tightest threshold the key is within; the wider ones it already passed count as heard.
  const auto left = expires_at - now;
  const auto tightest = std::find_if(options_.thresholds_days.begin(), options_.thresholds_days.end(),
                                     [&](unsigned d) { return left <= std::chrono::days(d); });
  if (tightest == options_.thresholds_days.end()) return false;
  for (auto d = options_.thresholds_days.begin(); d <= tightest; ++d) {
    auto done = already_raised(key, threshold_rule(*d));
    if (!done) return done.error();
    if (*done) return false;
  }
  AlertSpec alert;
  alert.rule = threshold_rule(*tightest);
  alert.severity = *tightest <= 1 ? store::AlertSeverity::warning : store::AlertSeverity::info;
  alert.user_id = key.owner_id;
  alert.key_id = key.id;
  alert.provider = key.provider;
  alert.message = "your " + key.provider + " key '" + key.name + "' expires " + in_words(left) + " (" +
                  core::format_rfc3339(expires_at) + "); rotate it or set a new expiry";
  if (auto r = alerts_.raise(alert); !r) return r.error();
  return true;
}

void ExpirySweeper::start() {
  task_.emplace(
      [this] {
        if (auto r = sweep_once(); !r) logging::error("expiry sweep failed", {{"error", r.error().message}});
      },
      options_.interval);
  task_->start();
}

void ExpirySweeper::stop() {
  if (task_) task_->stop();
}

}  // namespace keyrelay::monitor
