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

http::Handler guarded(Services& services, auth::Scope scope, AuthedHandler handler, Needs needs) {
  return [&services, scope, handler = std::move(handler), needs](
             http::Request& request, http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
    auth::RequestFacts facts;
    if (!ctx.client_ip.empty()) facts.ip = ctx.client_ip;
    if (auto ua = request.headers.get("User-Agent")) facts.user_agent = std::string(ua->substr(0, 256));
    facts.request_id = ctx.request_id;
    auto authorization = header_copy(request, "Authorization");
    auto on_behalf_of = header_copy(request, "X-Keyrelay-On-Behalf-Of");
    auto principal = co_await offload(services.blocking, [&] {
      return services.authenticator.authenticate(authorization, on_behalf_of, facts);
    });
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
