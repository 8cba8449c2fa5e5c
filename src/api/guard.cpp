#include "api/guard.h"

#include "api/offload.h"
#include "http/error_response.h"

namespace keyrelay::api {

namespace {

std::optional<std::string> header_copy(const http::Request& r, std::string_view name) {
  auto v = r.headers.get(name);
  return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
}

}  // namespace

vault::Caller caller_of(const auth::Principal& p, const http::Request& request, const http::RequestContext& ctx) {
  vault::Caller c;
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
  const auto on_behalf_of = request.headers.get("X-Keyrelay-On-Behalf-Of");
  // A cached token is checked right here; only a miss (or anything to audit) goes to the pool.
  if (auto cached = services.authenticator.try_cached(authorization, on_behalf_of)) co_return std::move(*cached);
  auth::RequestFacts facts;
  if (!ctx.client_ip.empty()) facts.ip = ctx.client_ip;
  if (auto ua = request.headers.get("User-Agent")) facts.user_agent = std::string(ua->substr(0, 256));
  facts.request_id = ctx.request_id;
  std::optional<std::string> authorization_copy;
  if (authorization) authorization_copy = std::string(*authorization);
  auto on_behalf_copy = header_copy(request, "X-Keyrelay-On-Behalf-Of");
  co_return co_await offload(services.blocking, [&] {
    return services.authenticator.authenticate(authorization_copy, on_behalf_copy, facts);
  });
}

http::Handler guarded(Services& services, auth::Scope scope, AuthedHandler handler, Needs needs) {
  return [&services, scope, handler = std::move(handler), needs](
             http::Request& request, http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
    auto principal = co_await authenticate(services, request.headers.get("Authorization"), request, ctx);
    if (!principal) co_return http::error_response(principal.error(), ctx.request_id);
    if (needs == Needs::admin && !principal->is_admin())
      co_return http::error_response(core::Error::forbidden("this endpoint is for administrators"), ctx.request_id);
    if (!principal->has(scope))
      co_return http::error_response(
          core::Error::forbidden("this credential lacks the '" + std::string(auth::scope_name(scope)) + "' scope"),
          ctx.request_id);
    co_return co_await handler(request, ctx, *principal);
  };
}

}  // namespace keyrelay::api
