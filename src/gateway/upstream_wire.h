#pragma once
// The wire side of an upstream exchange that needs no socket: which headers are hop-by-hop, and the
// serialized request head + body.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/headers.h"

namespace keyrelay::gateway {

// Connection, Keep-Alive, Proxy-*, TE, Trailer, Transfer-Encoding, Upgrade (any case).
bool is_hop_by_hop(std::string_view name) noexcept;

// Removes hop-by-hop fields and the fields a Connection header names (RFC 9110 §7.6.1).
void strip_hop_by_hop(http::Headers& headers);

// Appends "METHOD target HTTP/1.1", Host, the caller's end-to-end headers (hop-by-hop, Host and
// Content-Length dropped), Content-Length and the body to `out`. The caller wipes `out` after
// writing, since header values and the target may hold a key. Errc::invalid_request for a method
// that is not a token, or a header name/value that would break the framing (CR, LF, NUL).
// The message names the offending header, never its value.
core::Result<void> serialize_request(std::string_view method, std::string_view target, std::string_view host,
                                     const http::Headers& headers, std::string_view body, std::string& out);

// The head only, for a body written afterwards as it is read (an upload passed through): like
// serialize_request(), but announces `content_length` when it is known and
// "Transfer-Encoding: chunked" otherwise (then each piece goes out through append_chunk()).
core::Result<void> serialize_request_head(std::string_view method, std::string_view target, std::string_view host,
                                          const http::Headers& headers, std::optional<std::size_t> content_length,
                                          std::string& out);

// Appends `data` as one HTTP/1.1 chunk; an empty `data` appends the last chunk ("0\r\n\r\n").
void append_chunk(std::string_view data, std::string& out);

}  // namespace keyrelay::gateway
