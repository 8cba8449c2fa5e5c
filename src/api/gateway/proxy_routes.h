#pragma once
// The pass-through gateway: ANY /proxy/{provider}/{path…} forwards the request to the provider's
// base URL with the user's key injected where the provider wants it, and streams the answer back
// unchanged (API.md "Pass-through"). keyrelay's own errors use the API shape. Scope: gateway.

#include "api/gateway/gateway_services.h"
#include "http/router.h"

namespace keyrelay::api {

void add_proxy_routes(http::Router& router, GatewayServices& gateway);

}  // namespace keyrelay::api
