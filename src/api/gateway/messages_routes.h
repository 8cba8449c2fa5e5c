#pragma once
// POST /v1/messages: Anthropic Messages in, Anthropic Messages out (plain or Anthropic's event
// stream), to Anthropic natively and to OpenAI-wire and Gemini providers translated
// (gateway/wire/messages_wire.h). keyrelay's token in Authorization or x-api-key; errors in
// Anthropic's shape. Scope: gateway.

#include "api/gateway/gateway_services.h"
#include "http/router.h"

namespace keyrelay::api {

void add_messages_routes(http::Router& router, GatewayServices& gateway);

}  // namespace keyrelay::api
