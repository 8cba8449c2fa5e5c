#include "api/gateway/proxy_routes.h"

#include "api/gateway/gateway_places.h"
#include "api/gateway/key_attempts.h"
#include "api/gateway/proxy_body_stream.h"
#include "api/guard.h"
#include "gateway/proxy_rules.h"
#include "http/error_response.h"

namespace keyrelay::api {
namespace {

namespace net = boost::asio;

// Bodies up to this size are read whole, so that another key can be tried with them; larger or
// chunked ones go upstream as they arrive, and only one key gets them.
constexpr std::size_t kBufferedBodyBytes = 64 * 1024;

// Who calls /proxy/{provider}/…, and which provider: keyrelay's token comes in Authorization or in
// the provider's own auth header (so SDKs work unchanged) and needs the gateway scope.
struct ProxyCaller {
  const catalog::Provider* provider = nullptr;
  auth::Principal principal;
};

net::awaitable<core::Result<ProxyCaller>> proxy_caller(GatewayServices& gateway, const http::Request& req,
                                                       const http::RequestContext& ctx) {
  const std::string provider_id(req.param("provider").value_or(""));
  const catalog::Provider* provider = gateway.resolver.catalog().find(provider_id);
  if (provider == nullptr) co_return core::Error::not_found("no provider '" + provider_id + "' in the catalog");
  const auto authorization = gateway::proxy_authorization(req.headers, *provider);
  auto principal = co_await authenticate(
      gateway.services, authorization ? std::optional<std::string_view>(*authorization) : std::nullopt, req, ctx);
  if (!principal) co_return principal.error();
  if (!principal->has(auth::Scope::gateway)) co_return core::Error::forbidden("this credential lacks the 'gateway' scope");
  co_return ProxyCaller{provider, std::move(*principal)};
}

net::awaitable<std::optional<http::Response>> check_proxy_head(GatewayServices& gateway, const http::Request& head,
                                                               http::RequestContext& ctx) {
  auto caller = co_await proxy_caller(gateway, head, ctx);
  if (!caller) co_return http::error_response(caller.error(), ctx.request_id);
  co_return std::nullopt;
}

net::awaitable<http::Response> proxy(GatewayServices& gateway, http::Request& req, http::RequestContext& ctx) {
  auto who = co_await proxy_caller(gateway, req, ctx);
  if (!who) co_return http::error_response(who.error(), ctx.request_id);
  const catalog::Provider* provider = who->provider;
  const auth::Principal* principal = &who->principal;
  const std::string& provider_id = provider->id;
  if (auto limited = co_await charge_gateway(gateway.services, *principal, ctx))
    co_return http::error_response(*limited, ctx.request_id);
  auto place = take_gateway_place(gateway, *principal, ctx);
  if (!place) co_return http::error_response(place.error(), ctx.request_id);

  // The raw path after "/proxy/<provider>/" (the router's tail may have dropped empty segments).
  const std::string_view path = req.path();
  const std::string prefix = "/proxy/" + provider_id + "/";
  if (!path.starts_with(prefix))
    co_return http::error_response(core::Error::invalid_request("the proxied path is malformed"), ctx.request_id);
  auto url = gateway::proxy_url(*provider, path.substr(prefix.size()), req.query());
  if (!url) co_return http::error_response(url.error(), ctx.request_id);

  const audit::Actor caller = caller_of(*principal, req, ctx);
  auto user_keys = co_await key_snapshot(gateway, caller.user_id);
  if (!user_keys) co_return http::error_response(user_keys.error(), ctx.request_id);
  vault::KeyCache::Snapshot default_keys;
  if (gateway.settings.default_key_fallback) {
    auto defaults = co_await key_snapshot(gateway, gateway.services.system_user_id);
    if (!defaults) co_return http::error_response(defaults.error(), ctx.request_id);
    default_keys = std::move(*defaults);
  }
  const auto now = gateway.services.clock.now();
  const auto choices = gateway::choose_keys(**user_keys, default_keys.get(), provider->id, now);
  if (choices.empty()) {
    const std::string why = gateway::why_no_usable_key(**user_keys, provider->id, now);
    alert_no_usable_key(gateway.services, caller, provider->id, why);
    co_return http::error_response(core::Error::no_usable_key(why), ctx.request_id);
  }

  ProviderCall call;
  call.method = std::string(http::method_name(req.method));
  call.url = std::move(*url);
  call.headers = gateway::forward_request_headers(req.headers, *provider);
  for (const auto& [name, value] : provider->extra_headers)
    if (!call.headers.contains(name)) call.headers.add(name, value);
  call.body = std::move(req.body);
  call.body_source = std::move(req.body_source);
  call.route = "proxy";
  call.read = ProviderCall::Read::start;

  KeyAttempts attempts(gateway, caller);
  auto answer = co_await attempts.run(*provider, call, choices);
  if (!answer) {
    auto r = http::error_response(attempts.tally().final_error(), ctx.request_id);
    r.headers.set("X-Keyrelay-Attempts", std::to_string(attempts.tally().attempts));
    co_return r;
  }

  gateway::KeyUse use = attempts.use_of(*provider, call, *answer);
  use.http_status = answer->stream.status();
  http::Response r;
  r.status = answer->stream.status();
  r.headers = answer->stream.headers();
  gateway::filter_response_headers(r.headers);
  // The operator's account (openai-organization …) is none of the client's business.
  if (answer->credential == gateway::Credential::operator_default)
    gateway::drop_account_response_headers(r.headers, *provider);
  r.headers.set("X-Keyrelay-Provider", provider->id);
  r.headers.set("X-Keyrelay-Key-Id", answer->key->id);
  r.headers.set("X-Keyrelay-Credential", std::string(gateway::credential_name(answer->credential)));
  r.headers.set("X-Keyrelay-Attempts", std::to_string(attempts.tally().attempts));
  if (r.status < 200 || r.status >= 300) {
    // A final 4xx, read whole, decoded (it may have come compressed) and scrubbed of the key.
    r.headers.remove("Content-Encoding");
    use.error = r.status >= 400;
    gateway.usage.record(std::move(use));
    r.body = std::move(answer->error_body);
    co_return r;
  }
  if (answer->stream.done() && answer->body_start.empty()) {
    gateway.usage.record(std::move(use));  // a body-less answer (204, HEAD): nothing to stream
    co_return r;
  }
  r.stream = std::make_shared<ProxyBodyStream>(std::move(answer->stream), std::move(answer->body_start), provider->wire,
                                               gateway.usage, std::move(use), std::move(*place));
  co_return r;
}

}  // namespace

void add_proxy_routes(http::Router& router, GatewayServices& gateway) {
  using http::Method;
  for (const Method method : {Method::get, Method::post, Method::put, Method::patch, Method::del, Method::head,
                              Method::options}) {
    router.add(method, "/proxy/{provider}/{path...}",
               http::Handler([&gateway](http::Request& req, http::RequestContext& ctx) { return proxy(gateway, req, ctx); },
                             [&gateway](const http::Request& head, http::RequestContext& ctx) {
                               return check_proxy_head(gateway, head, ctx);
                             }),
               {.max_body_bytes = gateway.settings.max_request_body_bytes, .stream_body_above = kBufferedBodyBytes});
  }
}

}  // namespace keyrelay::api
