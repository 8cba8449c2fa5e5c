#include "api/gateway/proxy_routes.h"

#include "api/gateway/gateway_places.h"
#include "api/gateway/gateway_answer.h"
#include "api/gateway/proxy_body_stream.h"
#include "api/guard.h"
#include "gateway/proxy_rules.h"

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

net::awaitable<core::Result<void>> check_proxy_head(GatewayServices& gateway, const http::Request& head,
                                                    http::RequestContext& ctx) {
  auto caller = co_await proxy_caller(gateway, head, ctx);
  if (!caller) co_return caller.error();
  co_return core::ok();
}

// The provider's call: the raw path after "/proxy/<provider>/" (the router's tail may have dropped
// empty segments) on its base URL, the client's end-to-end headers (its credentials dropped), the
// catalog's headers where the client sent none, and the body as it came.
core::Result<gateway::ProviderCall> proxy_call(const catalog::Provider& provider, http::Request& req) {
  const std::string_view path = req.path();
  const std::string prefix = "/proxy/" + provider.id + "/";
  if (!path.starts_with(prefix)) return core::Error::invalid_request("the proxied path is malformed");
  auto url = gateway::proxy_url(provider, path.substr(prefix.size()), req.query());
  if (!url) return url.error();
  gateway::ProviderCall call;
  call.method = std::string(http::method_name(req.method));
  call.url = std::move(*url);
  call.headers = gateway::forward_request_headers(req.headers, provider);
  for (const auto& [name, value] : provider.extra_headers)
    if (!call.headers.contains(name)) call.headers.add(name, value);
  call.body = std::move(req.body);
  call.body_source = std::move(req.body_source);
  call.route = "proxy";
  call.read = gateway::ProviderCall::Read::start;
  return call;
}

// The provider's answer as it came, but for hop-by-hop headers, the operator's account headers
// and a final 4xx's body, which the dispatcher read whole, decoded and scrubbed of the key.
http::Response relay_answer(GatewayServices& gateway, gateway::Dispatched& dispatched, monitor::Permit& place) {
  gateway::ProviderAnswer& answer = *dispatched.answer;
  gateway::KeyUse& use = answer.use;  // handed to the usage sink last: the headers name its key
  use.http_status = answer.stream.status();
  http::Response r;
  r.status = answer.stream.status();
  r.headers = answer.stream.headers();
  gateway::filter_response_headers(r.headers);
  // The operator's account (openai-organization …) is none of the client's business.
  if (answer.credential == gateway::Credential::operator_default)
    gateway::drop_account_response_headers(r.headers, *answer.provider);
  set_key_headers(r, answer, dispatched.attempts);
  if (r.status < 200 || r.status >= 300) {
    r.headers.remove("Content-Encoding");
    use.error = r.status >= 400;
    gateway.usage.record(std::move(use));
    r.body = std::move(answer.error_body);
    return r;
  }
  if (answer.stream.done() && answer.body_start.empty()) {
    gateway.usage.record(std::move(use));  // a body-less answer (204, HEAD): nothing to stream
    return r;
  }
  r.stream = std::make_shared<ProxyBodyStream>(std::move(answer.stream), std::move(answer.body_start),
                                               answer.provider->wire, gateway.usage, std::move(use), std::move(place));
  return r;
}

// Authenticate → limit → dispatch → relay.
net::awaitable<core::Result<http::Response>> proxy(GatewayServices& gateway, http::Request& req,
                                                   http::RequestContext& ctx, std::chrono::nanoseconds& upstream) {
  auto who = co_await proxy_caller(gateway, req, ctx);
  if (!who) co_return who.error();
  const catalog::Provider& provider = *who->provider;
  if (auto limited = co_await charge_gateway(gateway.services, who->principal, ctx)) co_return *limited;
  auto place = take_gateway_place(gateway, who->principal, ctx);
  if (!place) co_return place.error();
  auto call = proxy_call(provider, req);
  if (!call) co_return call.error();

  const gateway::Actor caller = caller_of(who->principal, req, ctx);
  const std::vector<gateway::Route> routes{gateway::Route{&provider, {}}};
  auto dispatched = co_await gateway.dispatcher.dispatch(
      caller, routes, [&call](std::size_t) -> core::Result<gateway::ProviderCall> { return std::move(*call); });
  upstream = dispatched.upstream_time;
  if (!dispatched.answer) {
    ctx.response_headers.set("X-Keyrelay-Attempts", std::to_string(dispatched.attempts));
    co_return dispatched.error;
  }
  co_return relay_answer(gateway, dispatched, *place);
}

net::awaitable<core::Result<http::Response>> timed_proxy(GatewayServices& gateway, http::Request& req,
                                                         http::RequestContext& ctx) {
  std::chrono::nanoseconds upstream{0};
  auto answer = co_await proxy(gateway, req, ctx, upstream);
  set_server_timing(gateway, ctx, upstream);
  co_return answer;
}

}  // namespace

void add_proxy_routes(http::Router& router, GatewayServices& gateway) {
  using http::Method;
  for (const Method method : {Method::get, Method::post, Method::put, Method::patch, Method::del, Method::head,
                              Method::options}) {
    router.add(method, "/proxy/{provider}/{path...}",
               http::Handler([&gateway](http::Request& req, http::RequestContext& ctx) { return timed_proxy(gateway, req, ctx); },
                             [&gateway](const http::Request& head, http::RequestContext& ctx) {
                               return check_proxy_head(gateway, head, ctx);
                             }),
               {.max_body_bytes = gateway.settings.max_request_body_bytes, .stream_body_above = kBufferedBodyBytes});
  }
}

}  // namespace keyrelay::api
