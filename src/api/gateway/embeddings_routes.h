#pragma once
// POST /v1/embeddings: OpenAI's embeddings API, to OpenAI-wire providers forwarded and to Gemini
// translated (gateway/wire/embeddings_wire.h), through the same Dispatcher as chat (routing,
// fallback, caps, usage, audit). Errors in OpenAI's shape. Scope: gateway.

#include "api/gateway/gateway_services.h"
#include "http/router.h"

namespace keyrelay::api {

void add_embeddings_routes(http::Router& router, GatewayServices& gateway);

}  // namespace keyrelay::api
