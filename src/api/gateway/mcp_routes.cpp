#include "api/gateway/mcp_routes.h"

#include "api/gateway/gateway_answer.h"
#include "api/gateway/pass_through.h"
#include "gateway/proxy_rules.h"

namespace keyrelay::api {
namespace {

namespace net = boost::asio;

// JSON-RPC messages are small; a larger body is read only once its caller is known.
constexpr std::size_t kBufferedBodyBytes = 64 * 1024;

struct McpCaller {
  const catalog::Provider* server = nullptr;
  auth::Principal principal;
};

net::awaitable<core::Result<McpCaller>> mcp_caller(GatewayServices& gateway, const http::Request& req,
                                                   const http::RequestContext& ctx) {
  const std::string id(req.param("server").value_or(""));
  const catalog::Provider* server = gateway.resolver.catalog().find(id);
  if (server == nullptr || server->kind != catalog::Kind::mcp)
    co_return core::Error::not_found("no MCP server '" + id + "' in the catalog");
  // keyrelay's token; forward_request_headers() drops it, the server gets the stored key instead.
  auto principal = co_await gateway_caller(gateway, req.headers.get("Authorization"), req, ctx);
  if (!principal) co_return principal.error();
  co_return McpCaller{server, std::move(*principal)};
}

// The server's one endpoint (the client's query is not passed on: the transport has none), the
// client's end-to-end headers without its credentials, the catalog's headers where the client sent
// none, and the body as it came.
gateway::ProviderCall mcp_call(const catalog::Provider& server, http::Request& req) {
  gateway::ProviderCall call;
  call.method = std::string(http::method_name(req.method));
  call.url = server.base_url;
  call.headers = gateway::forward_request_headers(req.headers, server);
  for (const auto& [name, value] : server.extra_headers)
    if (!call.headers.contains(name)) call.headers.add(name, value);
  call.body = std::move(req.body);
  call.body_source = std::move(req.body_source);
  call.route = "mcp";
  call.read = gateway::ProviderCall::Read::start;
  return call;
}

net::awaitable<core::Result<http::Response>> forward(GatewayServices& gateway, http::Request& req,
                                                     http::RequestContext& ctx) {
  std::chrono::nanoseconds upstream{0};
  auto who = co_await mcp_caller(gateway, req, ctx);
  if (!who) co_return who.error();
  const catalog::Provider& server = *who->server;
  auto answer = co_await pass_through(
      gateway, server, who->principal, [&]() -> core::Result<gateway::ProviderCall> { return mcp_call(server, req); },
      req, ctx, upstream);
  set_server_timing(gateway, ctx, upstream);
  co_return answer;
}

net::awaitable<core::Result<void>> check_mcp_head(GatewayServices& gateway, const http::Request& head,
                                                  http::RequestContext& ctx) {
  auto caller = co_await mcp_caller(gateway, head, ctx);
  if (!caller) co_return caller.error();
  co_return core::ok();
}

}  // namespace

void add_mcp_routes(http::Router& router, GatewayServices& gateway) {
  using http::Method;
  for (const Method method : {Method::get, Method::post, Method::del}) {
    router.add(method, "/mcp/{server}",
               http::Handler([&gateway](http::Request& req, http::RequestContext& ctx) { return forward(gateway, req, ctx); },
                             [&gateway](const http::Request& head, http::RequestContext& ctx) {
                               return check_mcp_head(gateway, head, ctx);
                             }),
               {.max_body_bytes = gateway.settings.max_request_body_bytes, .stream_body_above = kBufferedBodyBytes});
  }
}

}  // namespace keyrelay::api
