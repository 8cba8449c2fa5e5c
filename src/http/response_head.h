#pragma once
// The head of a whole (not streamed) response, written straight into one buffer: the status line,
// the handler's fields, X-Request-Id, the default security headers, Connection and Content-Length.
// Beast's message would allocate every field on its own and walk them through a serializer for
// each answer; this is the gateway's hottest write.

#include <string>
#include <string_view>

#include "http/headers.h"

namespace keyrelay::http {

// False for 1xx, 204 and 304: such an answer never has a body.
bool response_has_body(int status) noexcept;

// Appends the head (ending in the blank line) of a response with `status`, `headers` and a body
// of `body_size` bytes to `out`. The handler's own Connection, Content-Length and
// Transfer-Encoding fields are replaced by the session's; X-Request-Id by `request_id`.
// Cache-Control: no-store and X-Content-Type-Options: nosniff are added unless the handler set
// them. 1xx, 204 and 304 answers carry no Content-Length.
void write_response_head(int status, const Headers& headers, std::string_view request_id, bool keep_alive,
                         std::size_t body_size, std::string& out);

}  // namespace keyrelay::http
