#pragma once
// What every /v1 gateway route shares: the guard in front of its handler (authentication with the
// gateway scope, the gateway rate limit, the caller's place among its requests in flight,
// Server-Timing on every answer), the fallback chain a request names, and the provider call of a
// JSON request body.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "api/gateway/gateway_services.h"
#include "auth/principal.h"
#include "gateway/provider_call.h"
#include "http/handler.h"
#include "monitor/concurrency_limiter.h"

namespace keyrelay::api {

// One gateway request as its handler sees it: the authenticated caller, its place among its
// requests in flight (a streamed answer takes it over), and the time it waited for providers.
struct GatewayCall {
  const auth::Principal& principal;
  monitor::Permit& place;
  std::chrono::nanoseconds upstream_time{0};
};

using GatewayHandler = std::function<boost::asio::awaitable<core::Result<http::Response>>(
    http::Request&, http::RequestContext&, GatewayCall&)>;

// guarded() for the gateway: the caller authenticated with the gateway scope (its keyrelay token in
// Authorization or, when `token_header` is given, in that header — x-api-key on /v1/messages, so
// the Anthropic SDK works unchanged), the gateway rate limit and the per-user cap on requests in
// flight; a large body is read only once its head passed the same authentication. Every answer,
// an error too, gets its Server-Timing.
http::Handler gateway_guarded(GatewayServices& gateway, GatewayHandler handler, std::string_view token_header = {});

// The request's own models followed by the X-Keyrelay-Fallback header's (a comma list).
std::vector<std::string> with_fallback_header(std::vector<std::string> names, const http::Request& req);

// A POST of `body` (JSON) to `provider` at `path`, with keyrelay's default headers and the catalog's
// (which replace them by name). `stream`: the answer is an event stream, read from its start inside
// the fallback loop; otherwise it is read whole there.
gateway::ProviderCall json_provider_call(const catalog::Provider& provider, std::string path, std::string body,
                                         const std::string& model, bool stream, std::string route);

}  // namespace keyrelay::api
