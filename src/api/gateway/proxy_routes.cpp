#include "api/gateway/proxy_routes.h"

#include "api/gateway/gateway_answer.h"
#include "api/gateway/pass_through.h"
#include "gateway/proxy_rules.h"

namespace keyrelay::api {
namespace {

namespace net = boost::asio;

// Bodies up to this size are read whole, so that another key can be tried with them; larger or
// chunked ones go upstream as they arrive, and only one key gets them.
constexpr std::size_t kBufferedBodyBytes = 64 * 1024;

// Who calls /proxy/{provider}/…, and which provider: keyrelay's token comes in Authorization or in
// the provider's own auth header (so SDKs work unchanged) and needs the gateway scope. MCP servers
// are reached through /mcp/{server} only.
struct ProxyCaller {
  const catalog::Provider* provider = nullptr;
  auth::Principal principal;
};

net::awaitable<core::Result<ProxyCaller>> proxy_caller(GatewayServices& gateway, const http::Request& req,
                                                       const http::RequestContext& ctx) {
  const std::string provider_id(req.param("provider").value_or(""));
  const catalog::Provider* provider = gateway.resolver.catalog().find(provider_id);
  if (provider == nullptr || provider->kind == catalog::Kind::mcp)
    co_return core::Error::not_found("no provider '" + provider_id + "' in the catalog");
  const auto authorization = gateway::proxy_authorization(req.headers, *provider);
  auto principal = co_await gateway_caller(
      gateway, authorization ? std::optional<std::string_view>(*authorization) : std::nullopt, req, ctx);
  if (!principal) co_return principal.error();
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

// Authenticate → (limit → dispatch → relay).
net::awaitable<core::Result<http::Response>> proxy(GatewayServices& gateway, http::Request& req,
                                                   http::RequestContext& ctx, std::chrono::nanoseconds& upstream) {
  auto who = co_await proxy_caller(gateway, req, ctx);
  if (!who) co_return who.error();
  const catalog::Provider& provider = *who->provider;
  co_return co_await pass_through(
      gateway, provider, who->principal, [&] { return proxy_call(provider, req); }, req, ctx, upstream);
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
