#include "api/cap_routes.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/guard.h"
#include "api/json_input.h"
#include "api/offload.h"
#include "api/responses.h"
#include "audit/event_builder.h"
#include "caps/cap_periods.h"
#include "caps/usd_amount.h"
#include "core/time_format.h"

namespace keyrelay::api {
namespace {

namespace net = boost::asio;
namespace json = boost::json;
using auth::Principal;
using auth::Scope;
using core::Error;
using core::Result;
using http::Request;
using http::RequestContext;
using http::Response;
using store::CapSubject;

json::value usd_or_null(const std::optional<std::int64_t>& micro) {
  return micro ? json::value(caps::usd_from_micro(*micro)) : json::value(nullptr);
}

json::object limits_json(const store::CapLimits& limits) {
  return json::object{{"daily_usd", usd_or_null(limits.daily_micro_usd)},
                      {"monthly_usd", usd_or_null(limits.monthly_micro_usd)}};
}

// One cap field of a PUT: a JSON number of USD, or null / absent for no cap.
Result<std::optional<std::int64_t>> cap_field(const json::object& body, std::string_view name) {
  const auto* v = body.if_contains(name);
  if (v == nullptr || v->is_null()) return std::optional<std::int64_t>();
  double usd = 0;
  if (v->is_double()) usd = v->get_double();
  else if (v->is_int64()) usd = static_cast<double>(v->get_int64());
  else if (v->is_uint64()) usd = static_cast<double>(v->get_uint64());
  else return Error::invalid_request("field '" + std::string(name) + "' must be a number of USD or null");
  auto micro = caps::micro_usd_from_usd(usd, "field '" + std::string(name) + "'");
  if (!micro) return micro.error();
  return std::optional<std::int64_t>(*micro);
}

Result<store::CapLimits> parse_limits(const Request& req) {
  auto body = json_object_body(req, {"daily_usd", "monthly_usd"});
  if (!body) return body.error();
  auto daily = cap_field(*body, "daily_usd");
  if (!daily) return daily.error();
  auto monthly = cap_field(*body, "monthly_usd");
  if (!monthly) return monthly.error();
  return store::CapLimits{*daily, *monthly};
}

// The next reset that matters: the day's when a daily cap is set (or none is), else the month's.
store::TimePoint resets_at(const store::CapLimits& limits, store::TimePoint now) {
  const bool monthly_only = !limits.daily_micro_usd && limits.monthly_micro_usd;
  return caps::period_of(monthly_only ? caps::Period::month : caps::Period::day, now).resets_at;
}

struct CapView {
  store::CapRecord caps;
  std::int64_t spent_today = 0, spent_month = 0;
};

// What `view.caps.subject_id` spent today and this month (UTC), from the booked usage.
Result<void> add_spent(store::CapStore& store, CapView& view, store::TimePoint now) {
  const auto day = caps::period_of(caps::Period::day, now);
  const auto month = caps::period_of(caps::Period::month, now);
  auto today = store.spent_micro_usd(view.caps.subject, view.caps.subject_id, day.first_day, day.last_day);
  if (!today) return today.error();
  auto this_month = store.spent_micro_usd(view.caps.subject, view.caps.subject_id, month.first_day, month.last_day);
  if (!this_month) return this_month.error();
  view.spent_today = *today;
  view.spent_month = *this_month;
  return core::ok();
}

Response render(const CapView& view, store::TimePoint now) {
  json::object o = limits_json(view.caps.limits);
  o["spent_today_usd"] = caps::usd_from_micro(view.spent_today);
  o["spent_month_usd"] = caps::usd_from_micro(view.spent_month);
  o["resets_at"] = core::format_rfc3339(resets_at(view.caps.limits, now));
  return json_response(200, o);
}

// The subject a route works on, and whose it must be (absent: an admin may reach any).
struct Target {
  CapSubject subject;
  std::string subject_id;
  std::optional<std::string> owner_id;
};

class CapRoutes {
 public:
  explicit CapRoutes(Services& s) : s_(s) {}

  // Each Target is a named local handed down by reference: GCC 12 destroys a temporary passed by
  // value to a coroutine twice.
  net::awaitable<Result<Response>> get_own(Request& req, RequestContext&, const Principal& p) {
    const Target target{CapSubject::user, p.user_id, p.user_id};
    co_return co_await read(req, target);
  }
  net::awaitable<Result<Response>> put_own(Request& req, RequestContext& ctx, const Principal& p) {
    const Target target{CapSubject::user, p.user_id, p.user_id};
    co_return co_await write(req, ctx, p, target);
  }
  net::awaitable<Result<Response>> get_key(Request& req, RequestContext&, const Principal& p) {
    const Target target = key_target(req, p);
    co_return co_await read(req, target);
  }
  net::awaitable<Result<Response>> put_key(Request& req, RequestContext& ctx, const Principal& p) {
    const Target target = key_target(req, p);
    co_return co_await write(req, ctx, p, target);
  }
  net::awaitable<Result<Response>> get_allowance(Request& req, RequestContext&, const Principal&) {
    const Target target = allowance_target(req);
    co_return co_await read(req, target);
  }
  net::awaitable<Result<Response>> put_allowance(Request& req, RequestContext& ctx, const Principal& p) {
    const Target target = allowance_target(req);
    co_return co_await write(req, ctx, p, target);
  }

 private:
  static Target key_target(const Request& req, const Principal& p) {
    Target t{CapSubject::key, std::string(*req.param("id")), std::nullopt};
    if (!p.is_admin()) t.owner_id = p.user_id;  // another user's key is not_found
    return t;
  }
  static Target allowance_target(const Request& req) {
    return Target{CapSubject::default_key_allowance, std::string(*req.param("id")), std::nullopt};
  }

  net::awaitable<Result<Response>> read(Request& req, const Target& t) {
    if (!req.query().empty()) co_return Error::invalid_request("this route takes no query parameters");
    const auto now = s_.clock.now();
    auto view = co_await offload(s_.blocking, [&]() -> Result<CapView> {
      auto found = s_.cap_store->find_caps(t.subject, t.subject_id, t.owner_id);
      if (!found) return found.error();
      CapView v{std::move(*found)};
      if (auto spent = add_spent(*s_.cap_store, v, now); !spent) return spent.error();
      return v;
    });
    if (!view) co_return view.error();
    co_return render(*view, now);
  }

  net::awaitable<Result<Response>> write(Request& req, RequestContext& ctx, const Principal& p, const Target& t) {
    auto limits = parse_limits(req);
    if (!limits) co_return limits.error();
    const audit::Actor caller = caller_of(p, req, ctx);
    const auto now = s_.clock.now();
    auto change = [&](const store::CapRecord& before, const store::CapRecord& after) -> Result<store::AuditEvent> {
      auto e = audit::new_event(now, s_.audit_chain, "cap.updated", store::Outcome::success, caller);
      if (after.subject == CapSubject::key) {
        e.key_id = after.subject_id;
        e.key_owner_id = after.owner_id;
      }
      e.details_json = json::serialize(json::object{{"subject", store::cap_subject_name(after.subject)},
                                                    {"subject_id", after.subject_id},
                                                    {"user_id", after.owner_id},
                                                    {"old", limits_json(before.limits)},
                                                    {"new", limits_json(after.limits)}});
      return e;
    };
    auto view = co_await offload(s_.blocking, [&]() -> Result<CapView> {
      auto stored = s_.cap_store->set_caps(t.subject, t.subject_id, t.owner_id, *limits, now, change);
      if (!stored) return stored.error();
      // The gateway's copy of the caps, now: the next call here is held to the new caps.
      if (s_.on_caps_changed) s_.on_caps_changed();
      CapView v{std::move(*stored)};
      if (auto spent = add_spent(*s_.cap_store, v, now); !spent) return spent.error();
      return v;
    });
    if (!view) co_return view.error();
    co_return render(*view, now);
  }

  Services& s_;
};

}  // namespace

void add_cap_routes(http::Router& router, Services& s) {
  if (s.cap_store == nullptr) return;
  using auth::Scope;
  using http::Method;
  auto routes = std::make_shared<CapRoutes>(s);
  router.add(Method::get, "/api/v1/caps", guarded<&CapRoutes::get_own>(s, routes, Scope::keys_read));
  router.add(Method::put, "/api/v1/caps", guarded<&CapRoutes::put_own>(s, routes, Scope::keys_write));
  router.add(Method::get, "/api/v1/keys/{id}/caps", guarded<&CapRoutes::get_key>(s, routes, Scope::keys_read));
  router.add(Method::put, "/api/v1/keys/{id}/caps", guarded<&CapRoutes::put_key>(s, routes, Scope::keys_write));
  router.add(Method::get, "/api/v1/users/{id}/default-key-allowance",
             guarded<&CapRoutes::get_allowance>(s, routes, Scope::admin, Needs::admin));
  router.add(Method::put, "/api/v1/users/{id}/default-key-allowance",
             guarded<&CapRoutes::put_allowance>(s, routes, Scope::admin, Needs::admin));
}

}  // namespace keyrelay::api
