#pragma once
// What every gateway answer carries besides its body (API.md): the X-Keyrelay-* headers naming the
// provider, key and attempts, and `Server-Timing: keyrelay;dur=…, upstream;dur=…` — keyrelay's own
// share of the time to the answer's head and the time it waited for providers —, which also goes
// into keyrelay_gateway_overhead_seconds.

#include <chrono>

#include "api/gateway/gateway_services.h"
#include "http/request_context.h"
#include "http/response.h"

namespace keyrelay::api {

// X-Keyrelay-Provider, -Key-Id, -Credential of the key that answered, and -Attempts.
void set_key_headers(http::Response& r, const gateway::ProviderAnswer& answer, int attempts);

// Server-Timing, measured from the request's start until now, on whatever the request is answered
// with (ctx.response_headers: an error answer too), and the overhead histogram.
void set_server_timing(GatewayServices& gateway, http::RequestContext& ctx, std::chrono::nanoseconds upstream);

}  // namespace keyrelay::api
