#include "api/insight_routes.h"

#include <chrono>
#include <map>

#include "api/alert_json.h"
#include "api/guard.h"
#include "api/usage_json.h"
#include "api/json_input.h"
#include "api/key_json.h"
#include "api/offload.h"
#include "api/responses.h"
#include "audit/event_builder.h"
#include "core/time_format.h"

namespace keyrelay::api {
namespace {

namespace net = boost::asio;
namespace json = boost::json;
using auth::Principal;
using core::Error;
using core::Result;
using http::Request;
using http::RequestContext;
using http::Response;

constexpr int kMaxUsageDays = 400;

std::string day_of(store::TimePoint t) { return core::format_rfc3339(t).substr(0, 10); }

Result<store::TimePoint> parse_day(std::string_view name, const std::string& text) {
  auto t = text.size() == 10 ? core::parse_rfc3339(text + "T00:00:00Z") : std::nullopt;
  if (!t) return Error::invalid_request(std::string(name) + " must be a date YYYY-MM-DD");
  return *t;
}

net::awaitable<core::Result<Response>> usage(Services& s, Request& req, RequestContext&, const Principal& p) {
  auto query = Query::parse(req.query());
  if (!query) co_return query.error();
  if (auto r = query->only({"from", "to", "group_by"}); !r) co_return r.error();
  const auto today = s.clock.now();
  store::UsageQuery q;
  q.owner_id = p.user_id;
  q.to_day = query->get("to").value_or(day_of(today));
  q.from_day = query->get("from").value_or(day_of(today - std::chrono::hours(24 * 29)));
  auto from = parse_day("from", q.from_day);
  auto to = parse_day("to", q.to_day);
  if (!from) co_return from.error();
  if (!to) co_return to.error();
  if (*from > *to) co_return Error::invalid_request("from must not be after to");
  // Counted in days: the length of a range of centuries in the clock's nanoseconds would overflow.
  if (std::chrono::floor<std::chrono::days>(*to) - std::chrono::floor<std::chrono::days>(*from) >
      std::chrono::days(kMaxUsageDays))
    co_return Error::invalid_request("at most 400 days per request");
  if (auto group = query->get("group_by")) {
    q.by_day = q.by_provider = q.by_key = q.by_model = false;
    std::string_view rest = *group;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string_view dim = rest.substr(0, comma);
      if (dim == "day") q.by_day = true;
      else if (dim == "provider") q.by_provider = true;
      else if (dim == "key") q.by_key = true;
      else if (dim == "model") q.by_model = true;
      else co_return Error::invalid_request("group_by takes a comma list of day, provider, key, model");
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
  }
  auto rows = co_await offload(s.blocking, [&] { return s.usage_store.usage(q); });
  if (!rows) co_return rows.error();
  json::array data;
  store::UsageRow totals;
  for (const auto& r : *rows) {
    data.push_back(usage_json(r));
    totals.requests += r.requests;
    totals.input_tokens += r.input_tokens;
    totals.output_tokens += r.output_tokens;
    totals.errors += r.errors;
    totals.cost_micro_usd += r.cost_micro_usd;
    totals.unpriced_requests += r.unpriced_requests;
  }
  co_return json_response(200, json::object{{"data", std::move(data)}, {"totals", usage_json(totals)}});
}

net::awaitable<core::Result<Response>> list_alerts(Services& s, Request& req, RequestContext&, const Principal& p) {
  auto query = Query::parse(req.query());
  if (!query) co_return query.error();
  if (auto r = query->only({"status", "limit", "cursor", "user_id"}); !r) co_return r.error();
  auto page = page_request(*query);
  if (!page) co_return page.error();
  store::AlertFilter filter;
  if (auto status = query->get("status")) {
    auto parsed = store::parse_alert_status(*status);
    if (!parsed) co_return Error::invalid_request("status must be open or resolved");
    filter.status = *parsed;
  }
  if (p.is_admin()) filter.user_id = query->get("user_id");
  else if (auto other = query->get("user_id"); other && *other != p.user_id)
    co_return Error::forbidden("only administrators may read other users' alerts");
  else filter.user_id = p.user_id;
  auto alerts = co_await offload(s.blocking, [&] { return s.alert_store.list_alerts(filter, *page); });
  if (!alerts) co_return alerts.error();
  json::array data;
  for (const auto& a : alerts->items) data.push_back(alert_json(a));
  co_return collection(std::move(data), alerts->next_cursor);
}

net::awaitable<core::Result<Response>> resolve_alert(Services& s, Request& req, RequestContext& ctx, const Principal& p) {
  const std::string id(*req.param("id"));
  const audit::Actor caller = caller_of(p, req, ctx);
  std::optional<std::string> owner;
  if (!p.is_admin()) owner = p.user_id;
  const auto owner_view = owner ? std::optional<std::string_view>(*owner) : std::nullopt;
  auto alert = co_await offload(s.blocking, [&]() -> Result<store::AlertRecord> {
    // Through the alert service when there is one, so its listeners (webhooks) hear of it.
    if (s.alerts != nullptr) return s.alerts->resolve(id, owner_view, caller);
    store::AuditEvent e = audit::new_event(s.clock, s.audit_chain, "alert.resolved", store::Outcome::success, caller);
    e.details_json = json::serialize(json::object{{"alert_id", id}});
    return s.alert_store.resolve_alert(id, owner_view, s.clock.now(), std::move(e));
  });
  if (!alert) co_return alert.error();
  co_return json_response(200, alert_json(*alert));
}

// Key health: counts by status and provider, how validations went, and the latest problems. Fed
// one key at a time, so the global summary can page through every key without holding them all.
class KeyHealth {
 public:
  explicit KeyHealth(store::TimePoint now) : now_(now) {}

  void add(const store::KeyRecord& k) {
    ++total_;
    ++by_status_[std::string(store::key_status_name(store::key_status(k, now_)))];
    ++by_provider_[k.provider];
    if (k.validation.state != store::ValidationState::unknown) ++checked_;
    if (k.validation.state == store::ValidationState::valid) ++valid_;
    if ((k.validation.state == store::ValidationState::invalid || k.validation.state == store::ValidationState::error) &&
        k.validation.checked_at) {
      problems_.push_back(Problem{k.id, k.provider, k.validation.state, k.validation.message, *k.validation.checked_at});
      std::sort(problems_.begin(), problems_.end(), [](const auto& a, const auto& b) { return a.at > b.at; });
      if (problems_.size() > kRecentProblems) problems_.pop_back();
    }
  }

  json::object to_json() const {
    json::object status_counts, provider_counts;
    for (const auto& [k, v] : by_status_) status_counts[k] = v;
    for (const auto& [k, v] : by_provider_) provider_counts[k] = v;
    json::array recent;
    for (const auto& p : problems_)
      recent.push_back(json::object{{"key_id", p.key_id},
                                    {"provider", p.provider},
                                    {"state", store::validation_state_name(p.state)},
                                    {"message", p.message ? json::value(*p.message) : json::value(nullptr)},
                                    {"at", core::format_rfc3339(p.at)}});
    return json::object{
        {"keys", json::object{{"total", total_}, {"by_status", std::move(status_counts)}, {"by_provider", std::move(provider_counts)}}},
        {"validation", json::object{{"checked", checked_},
                                    {"valid", valid_},
                                    {"success_rate", checked_ == 0 ? json::value(nullptr)
                                                                   : json::value(static_cast<double>(valid_) / checked_)}}},
        {"recent_errors", std::move(recent)}};
  }

 private:
  static constexpr std::size_t kRecentProblems = 10;
  struct Problem {
    std::string key_id, provider;
    store::ValidationState state;
    std::optional<std::string> message;
    store::TimePoint at;
  };
  store::TimePoint now_;
  std::int64_t total_ = 0, checked_ = 0, valid_ = 0;
  std::map<std::string, std::int64_t> by_status_{{"active", 0}, {"disabled", 0}, {"expired", 0}, {"invalid", 0}};
  std::map<std::string, std::int64_t> by_provider_;
  std::vector<Problem> problems_;  // newest first, at most kRecentProblems
};

// Every key of every owner (the operator's default keys included), a page at a time.
Result<void> add_every_key(store::KeyInventoryStore& inventory, KeyHealth& health) {
  constexpr std::size_t kPage = 500;
  std::optional<std::string> after;
  for (;;) {
    auto page = inventory.keys_after(after, kPage);
    if (!page) return page.error();
    for (const auto& k : *page) health.add(k);
    if (page->size() < kPage) return core::ok();
    after = page->back().id;
  }
}

// The caller's keys; an admin's summary is global (README: "admins: everyone's").
net::awaitable<core::Result<Response>> metrics(Services& s, Request&, RequestContext&, const Principal& p) {
  KeyHealth health(s.clock.now());
  const bool global = p.is_admin();
  const std::string owner = p.user_id;
  auto added = co_await offload(s.blocking, [&]() -> Result<void> {
    if (global) return add_every_key(s.key_inventory, health);
    auto keys = s.key_store.keys_of_owner(owner);
    if (!keys) return keys.error();
    for (const auto& k : *keys) health.add(k);
    return core::ok();
  });
  if (!added) co_return added.error();
  co_return json_response(200, health.to_json());
}

template <auto Fn>
http::Handler bind(Services& s, auth::Scope scope) {
  return guarded(s, scope, [&s](Request& req, RequestContext& ctx, const Principal& p) -> net::awaitable<core::Result<Response>> {
    co_return co_await Fn(s, req, ctx, p);
  });
}

}  // namespace

void add_insight_routes(http::Router& router, Services& s) {
  using http::Method;
  auto usage_handler = bind<usage>(s, auth::Scope::keys_read);
  auto alerts_handler = bind<list_alerts>(s, auth::Scope::keys_read);
  auto metrics_handler = bind<metrics>(s, auth::Scope::keys_read);
  router.add(Method::get, "/api/v1/usage", usage_handler);
  router.add(Method::get, "/api/v1/alerts", alerts_handler);
  router.add(Method::post, "/api/v1/alerts/{id}/resolve", bind<resolve_alert>(s, auth::Scope::keys_write));
  router.add(Method::get, "/api/v1/metrics", metrics_handler);
  router.add(Method::get, "/api/keys/metrics", metrics_handler);
  router.add(Method::get, "/api/keys/alerts", alerts_handler);
}

}  // namespace keyrelay::api
