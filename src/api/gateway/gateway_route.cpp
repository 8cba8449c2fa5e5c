#include "api/gateway/gateway_route.h"

#include "api/gateway/gateway_answer.h"
#include "api/gateway/gateway_places.h"
#include "api/guard.h"

namespace keyrelay::api {
namespace {

namespace net = boost::asio;

// A caller of /v1: authenticated, with the gateway scope.
net::awaitable<core::Result<auth::Principal>> gateway_caller(GatewayServices& gateway, const http::Request& req,
                                                            const http::RequestContext& ctx,
                                                            std::string_view token_header) {
  std::optional<std::string> authorization;
  if (auto header = req.headers.get("Authorization")) authorization = std::string(*header);
  else if (!token_header.empty())
    if (auto token = req.headers.get(token_header)) authorization = "Bearer " + std::string(*token);
  auto principal = co_await authenticate(
      gateway.services, authorization ? std::optional<std::string_view>(*authorization) : std::nullopt, req, ctx);
  if (!principal) co_return principal.error();
  if (!principal->has(auth::Scope::gateway)) co_return core::Error::forbidden("this credential lacks the 'gateway' scope");
  co_return principal;
}

}  // namespace

http::Handler gateway_guarded(GatewayServices& gateway, GatewayHandler handler, std::string_view token_header) {
  auto serve = [&gateway, handler = std::move(handler), token_header = std::string(token_header)](
                   http::Request& req, http::RequestContext& ctx,
                   std::chrono::nanoseconds& upstream) -> net::awaitable<core::Result<http::Response>> {
    auto principal = co_await gateway_caller(gateway, req, ctx, token_header);
    if (!principal) co_return principal.error();
    if (auto limited = co_await charge_gateway(gateway.services, *principal, ctx)) co_return *limited;
    auto place = take_gateway_place(gateway, *principal, ctx);
    if (!place) co_return place.error();
    GatewayCall call{*principal, *place};
    auto answer = co_await handler(req, ctx, call);
    upstream = call.upstream_time;
    co_return answer;
  };
  auto respond = [&gateway, serve = std::move(serve)](
                     http::Request& req, http::RequestContext& ctx) -> net::awaitable<core::Result<http::Response>> {
    std::chrono::nanoseconds upstream{0};
    auto answer = co_await serve(req, ctx, upstream);
    set_server_timing(gateway, ctx, upstream);
    co_return answer;
  };
  auto check_head = [&gateway, token_header = std::string(token_header)](const http::Request& head,
                                             http::RequestContext& ctx) -> net::awaitable<core::Result<void>> {
    auto principal = co_await gateway_caller(gateway, head, ctx, token_header);
    if (!principal) co_return principal.error();
    co_return core::ok();
  };
  return http::Handler(std::move(respond), std::move(check_head));
}

std::vector<std::string> with_fallback_header(std::vector<std::string> names, const http::Request& req) {
  auto header = req.headers.get("X-Keyrelay-Fallback");
  if (!header) return names;
  std::string_view text = *header;
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) names.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return names;
}

gateway::ProviderCall json_provider_call(const catalog::Provider& provider, std::string path, std::string body,
                                         const std::string& model, bool stream, std::string route) {
  gateway::ProviderCall out;
  out.method = "POST";
  out.url = provider.base_url + path;
  out.headers.add("Content-Type", "application/json");
  out.headers.add("Accept", stream ? "text/event-stream" : "application/json");
  out.headers.add("User-Agent", "keyrelay/" KEYRELAY_VERSION);
  // The catalog's headers replace keyrelay's defaults of the same name rather than doubling them.
  for (const auto& [name, value] : provider.extra_headers) out.headers.set(name, value);
  out.body = std::move(body);
  out.route = std::move(route);
  out.model = model;
  out.read = stream ? gateway::ProviderCall::Read::start : gateway::ProviderCall::Read::whole;
  return out;
}

}  // namespace keyrelay::api
