#pragma once
// The normative rules of the pass-through `/proxy/{provider}/{path…}` (API.md "Pass-through"), as
// pure functions: which request path may be forwarded, which headers go up and which come back.

#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "core/result.h"
#include "http/headers.h"

namespace keyrelay::gateway {

// The upstream URL for a proxied request: provider base URL + "/" + `rest` + "?" + `query`.
// `rest` is the raw (still percent-encoded) path after "/proxy/<provider>/". invalid_request for
// anything that could leave the provider's base path or confuse a server: "." or ".." segments,
// an empty segment ("//"), a backslash, control characters, or the encoded forms %2e, %2f, %5c, %00
// (any case); and for a query that carries the provider's own auth parameter (keyrelay adds it).
core::Result<std::string> proxy_url(const catalog::Provider& provider, std::string_view rest, std::string_view query);

// End-to-end request headers to forward. Dropped: Authorization, Proxy-Authorization, Cookie, Host,
// X-Keyrelay-*, Forwarded, X-Forwarded-*, X-Real-IP, hop-by-hop headers, Content-Length (the client
// recomputes it), and the provider's own auth header.
http::Headers forward_request_headers(const http::Headers& in, const catalog::Provider& provider);

// Response headers to pass back: hop-by-hop ones and Set-Cookie (the provider must not set cookies
// on keyrelay's origin) removed, along with Content-Length (the body is re-framed).
void filter_response_headers(http::Headers& headers);

// The keyrelay token of a /proxy request: the Authorization header, or — so that official SDKs work
// unchanged — the provider's own auth header when that is not Authorization (x-api-key for
// anthropic, x-goog-api-key for gemini), re-shaped as "Bearer <token>".
std::optional<std::string> proxy_authorization(const http::Headers& headers, const catalog::Provider& provider);

}  // namespace keyrelay::gateway
