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
// anything that could leave the provider's base path or confuse a server: "." segments, segments
// that begin with ".." ("..", "..;", "..%3B": Java servers normalise "/a/..;/b" to "/b"), ';' path
// parameters (raw or %3B), an empty segment ("//"), a backslash, control characters, or the
// encoded forms %2e, %2f, %5c, %00 (any case). Query parameters under which the provider takes a
// credential (its auth parameter, and `auth.also`; names compared percent-decoded, any case) are
// dropped: keyrelay adds the stored key, and the provider must see it exactly once.
core::Result<std::string> proxy_url(const catalog::Provider& provider, std::string_view rest, std::string_view query);

// End-to-end request headers to forward. Dropped: Authorization, Proxy-Authorization, Cookie, Host,
// X-Keyrelay-*, Forwarded, X-Forwarded-*, X-Real-IP, hop-by-hop headers, Content-Length (the client
// recomputes it), and every header the provider takes a credential from. Accept-Encoding keeps only
// the codings keyrelay can decode (gzip, deflate, identity), so that an answer can always be
// classified and scrubbed of the key.
http::Headers forward_request_headers(const http::Headers& in, const catalog::Provider& provider);

// With an operator's default key: drops the client's account-scoping headers (catalog
// account_headers.request) from a request, and the provider's account headers (…response) from
// its answer.
void drop_account_request_headers(http::Headers& headers, const catalog::Provider& provider);
void drop_account_response_headers(http::Headers& headers, const catalog::Provider& provider);

// Response headers to pass back: hop-by-hop ones and Set-Cookie (the provider must not set cookies
// on keyrelay's origin) removed, along with Content-Length (the body is re-framed).
void filter_response_headers(http::Headers& headers);

// The keyrelay token of a /proxy request: the Authorization header, or — so that official SDKs work
// unchanged — the provider's own auth header when that is not Authorization (x-api-key for
// anthropic, x-goog-api-key for gemini), re-shaped as "Bearer <token>".
std::optional<std::string> proxy_authorization(const http::Headers& headers, const catalog::Provider& provider);

}  // namespace keyrelay::gateway
