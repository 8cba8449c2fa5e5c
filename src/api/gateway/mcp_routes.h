#pragma once
// MCP servers with the user's key (issue 16 item 3): ANY /mcp/{server} forwards MCP's streamable
// HTTP transport to the operator's MCP server of that id (a catalog entry of kind mcp), with the
// caller's own key for that server placed as the catalog says (a header such as
// "Authorization: Bearer {key}", or a query parameter). POST with a JSON or an event-stream answer,
// GET for the server's event stream, DELETE to end a session; Mcp-Session-Id,
// MCP-Protocol-Version, Last-Event-ID and Accept pass both ways as they came. keyrelay's token
// (Authorization, scope gateway) is never forwarded. Each call is rate limited, audited and
// counted like a /proxy call; keyrelay's own errors use the API shape.

#include "api/gateway/gateway_services.h"
#include "http/router.h"

namespace keyrelay::api {

void add_mcp_routes(http::Router& router, GatewayServices& gateway);

}  // namespace keyrelay::api
