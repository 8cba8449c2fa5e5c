#include "api/guard.h"

#include <boost/asio/post.hpp>

#include "api/offload.h"
#include "core/address_group.h"
#include "logging/log.h"

namespace keyrelay::api {

namespace {

std::optional<std::string> header_copy(const http::Request& r, std::string_view name) {
  auto v = r.headers.get(name);
  return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
}

// Why `principal` may not use a route that needs `scope` (and, with Needs::admin, the admin role).
std::optional<core::Error> access_refusal(const auth::Principal& principal, auth::Scope scope, Needs needs) {
  if (needs == Needs::host) {
    if (principal.is_admin() || (principal.has(auth::Scope::act_as) && !principal.on_behalf())) return std::nullopt;
    return core::Error::forbidden("this endpoint is for administrators and tokens with the 'act_as' scope");
  }
  if (needs == Needs::scope_or_admin && principal.is_admin()) return std::nullopt;
  if (needs == Needs::admin && !principal.is_admin())
    return core::Error::forbidden("this endpoint is for administrators");
  if (!principal.has(scope))
    return core::Error::forbidden("this credential lacks the '" + std::string(auth::scope_name(scope)) + "' scope");
  return std::nullopt;
}

bool is_change(http::Method method) {
  return method == http::Method::post || method == http::Method::put || method == http::Method::patch ||
         method == http::Method::del;
}

// A Protection call, where it may wait: inline while the limits are in this process's memory, on
// the worker pool when they are in Redis (a stalled Redis must not stall the I/O thread and every
// connection on it). `work` runs while the awaiting coroutine is suspended, so it may use its locals.
template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> protect(Services& services, F work) {
  if (!services.protection_waits_on_network) co_return work();
  co_return co_await offload(services.blocking, std::move(work));
}

// The failed authentication is counted against the client's IP; the one that gets it refused
// raises an alert for the operator.
void note_auth_failure(Services& services, const http::RequestContext& ctx) {
  if (services.protection == nullptr || !services.protection->note_auth_failure(ctx)) return;
  const auto& limit = services.protection->auth_failure_limit();
  monitor::AlertSpec alert;
  alert.rule = "auth.failure_burst";
  alert.severity = store::AlertSeverity::warning;
  alert.user_id = services.system_user_id;
  alert.message = "more than " + std::to_string(limit.count) + " failed authentications from " +
                  core::address_group(ctx.client_ip) +
                  " within " + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(limit.period).count()) +
                  " s; the address is refused for " +
                  std::to_string(std::chrono::duration_cast<std::chrono::seconds>(services.protection->auth_block()).count()) +
                  " s";
  raise_alert_later(services, std::move(alert));
}

}  // namespace

void raise_alert_later(Services& services, monitor::AlertSpec spec, std::optional<audit::Actor> caller) {
  if (services.alerts == nullptr) return;
  boost::asio::post(services.blocking, [&services, spec = std::move(spec), caller = std::move(caller)] {
    auto raised = services.alerts->raise(spec, caller ? &*caller : nullptr);
    if (!raised)
      logging::error("could not raise an alert", {{"rule", spec.rule}, {"error", raised.error().message}});
  });
}

boost::asio::awaitable<std::optional<core::Error>> charge_validation(Services& services, const auth::Principal& principal,
                                                                     http::RequestContext& ctx) {
  if (services.protection == nullptr) co_return std::nullopt;
  co_return co_await protect(services,
                             [&] { return services.protection->charge(RateBucket::validation, principal.user_id, ctx); });
}

boost::asio::awaitable<std::optional<core::Error>> charge_gateway(Services& services, const auth::Principal& principal,
                                                                  http::RequestContext& ctx) {
  if (services.protection == nullptr) co_return std::nullopt;
  const std::string subject = principal.token_id ? "token:" + *principal.token_id : "user:" + principal.user_id;
  co_return co_await protect(services, [&] { return services.protection->charge(RateBucket::gateway, subject, ctx); });
}

audit::Actor caller_of(const auth::Principal& p, const http::Request& request, const http::RequestContext& ctx) {
  audit::Actor c;
  c.user_id = p.user_id;
  c.actor_user_id = p.actor_user_id;
  c.token_id = p.token_id;
  c.kind = p.kind;
  c.is_admin = p.is_admin();
  if (!ctx.client_ip.empty()) c.ip = ctx.client_ip;
  if (auto ua = request.headers.get("User-Agent")) c.user_agent = std::string(ua->substr(0, 256));
  c.request_id = ctx.request_id;
  return c;
}

boost::asio::awaitable<core::Result<auth::Principal>> authenticate(Services& services,
                                                                  std::optional<std::string_view> authorization,
                                                                  const http::Request& request,
                                                                  const http::RequestContext& ctx) {
  // Credentials are checked before the lockout: a valid one is always served (API.md), since
  // behind a load balancer every user — and the host app's act_as backend — may share one address.
  const auto on_behalf_of = request.headers.get("X-Keyrelay-On-Behalf-Of");
  // A cached token is checked right here; only a miss (or anything to audit) goes to the pool.
  if (auto cached = services.authenticator.try_cached(authorization, on_behalf_of)) co_return std::move(*cached);
  // A locked-out address presenting nothing that could be valid is refused without a lookup.
  const bool locked_out =
      services.protection != nullptr && co_await protect(services, [&] { return services.protection->is_locked_out(ctx); });
  if (locked_out && !services.authenticator.could_be_valid(authorization))
    if (auto refusal = co_await protect(services, [&] { return services.protection->refusal_for(ctx); }))
      co_return *refusal;
  auth::RequestFacts facts;
  if (!ctx.client_ip.empty()) facts.ip = ctx.client_ip;
  if (auto ua = request.headers.get("User-Agent")) facts.user_agent = std::string(ua->substr(0, 256));
  facts.request_id = ctx.request_id;
  std::optional<std::string> authorization_copy;
  if (authorization) authorization_copy = std::string(*authorization);
  auto on_behalf_copy = header_copy(request, "X-Keyrelay-On-Behalf-Of");
  auto principal = co_await offload(services.blocking, [&] {
    return services.authenticator.authenticate(authorization_copy, on_behalf_copy, facts);
  });
  if (principal || principal.error().code != core::Errc::unauthenticated) co_return principal;
  // Only presented credentials that failed count: a request without any is no guess.
  if (authorization_copy && !authorization_copy->empty())
    co_await protect(services, [&] { note_auth_failure(services, ctx); });
  // While the lockout lasts a failing credential learns nothing from a 401.
  if (locked_out)
    if (auto refusal = co_await protect(services, [&] { return services.protection->refusal_for(ctx); }))
      co_return *refusal;
  co_return principal;
}

http::HeadCheck authenticate_head(Services& services, auth::Scope scope, Needs needs) {
  return [&services, scope, needs](const http::Request& head,
                                   http::RequestContext& ctx) -> boost::asio::awaitable<core::Result<void>> {
    auto principal = co_await authenticate(services, head.headers.get("Authorization"), head, ctx);
    if (!principal) co_return principal.error();
    if (auto refused = access_refusal(*principal, scope, needs)) co_return *refused;
    co_return core::ok();
  };
}

// Reveals are counted per token (API.md: a trusted service's own limit); the rest per user.
static std::string charge_subject(RateBucket bucket, const auth::Principal& principal) {
  if (bucket == RateBucket::reveal && principal.token_id) return "token:" + *principal.token_id;
  return principal.user_id;
}

http::Handler guarded(Services& services, auth::Scope scope, AuthedHandler handler, Needs needs,
                      std::optional<RateBucket> bucket) {
  auto respond = [&services, scope, handler = std::move(handler), needs, bucket](
             http::Request& request, http::RequestContext& ctx) -> boost::asio::awaitable<core::Result<http::Response>> {
    auto principal = co_await authenticate(services, request.headers.get("Authorization"), request, ctx);
    if (!principal) co_return principal.error();
    if (auto refused = access_refusal(*principal, scope, needs)) co_return *refused;
    const std::optional<RateBucket> charged = bucket ? bucket : is_change(request.method) ? std::optional(RateBucket::mutation) : std::nullopt;
    if (charged && services.protection != nullptr) {
      const bool burst = *charged == RateBucket::mutation &&
                         co_await protect(services, [&] { return services.protection->note_management_change(principal->user_id); });
      if (burst) {
        monitor::AlertSpec alert;
        alert.rule = "management.burst";
        alert.severity = store::AlertSeverity::warning;
        alert.user_id = principal->user_id;
        alert.message = "an unusual number of changes to your keys and settings in a short time";
        raise_alert_later(services, std::move(alert), caller_of(*principal, request, ctx));
      }
      const std::string subject = charge_subject(*charged, *principal);
      if (auto refused = co_await protect(services, [&] { return services.protection->charge(*charged, subject, ctx); }))
        co_return *refused;
    }
    co_return co_await handler(request, ctx, *principal);
  };
  return http::Handler(std::move(respond), authenticate_head(services, scope, needs));
}

}  // namespace keyrelay::api
