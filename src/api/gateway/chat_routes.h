#pragma once
// The unified chat gateway: POST /v1/chat/completions (OpenAI wire in, any provider wire out, plain
// or SSE) and GET /v1/models. Errors in OpenAI's shape. Scope: gateway.

#include "api/gateway/gateway_services.h"
#include "http/router.h"

namespace keyrelay::api {

void add_chat_routes(http::Router& router, GatewayServices& gateway);

}  // namespace keyrelay::api
