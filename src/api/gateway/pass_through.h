#pragma once
// The pass-through shared by /proxy/{provider}/… and /mcp/{server}: one request forwarded to one
// catalog entry with a key of the caller's (dispatcher: its keys by priority, circuit breaking,
// audit, usage), and the answer relayed as it comes, event streams included.

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "api/gateway/gateway_services.h"
#include "auth/principal.h"
#include "catalog/catalog.h"
#include "core/result.h"
#include "gateway/provider_call.h"
#include "http/request.h"
#include "http/request_context.h"
#include "http/response.h"

namespace keyrelay::api {

// The caller behind keyrelay's token in `authorization` (nullopt: none sent), with the gateway
// scope: unauthenticated or forbidden otherwise (also a locked-out address: rate_limited).
boost::asio::awaitable<core::Result<auth::Principal>> gateway_caller(GatewayServices& gateway,
                                                                     std::optional<std::string_view> authorization,
                                                                     const http::Request& req,
                                                                     const http::RequestContext& ctx);

// Builds the provider's call from the request (may refuse it: invalid_request).
using MakeProviderCall = std::function<core::Result<gateway::ProviderCall>()>;

// Charges the gateway rate limit, takes the caller's place among its requests in flight, makes the
// call and dispatches it to `provider` with the caller's keys; the provider's answer relayed (its
// hop-by-hop headers and the operator's account headers dropped), or the error that stopped it.
// `upstream`: the time spent waiting on the provider.
boost::asio::awaitable<core::Result<http::Response>> pass_through(GatewayServices& gateway,
                                                                  const catalog::Provider& provider,
                                                                  const auth::Principal& principal,
                                                                  const MakeProviderCall& make_call, http::Request& req,
                                                                  http::RequestContext& ctx,
                                                                  std::chrono::nanoseconds& upstream);

}  // namespace keyrelay::api
