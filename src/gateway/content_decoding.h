#pragma once
// Provider answers that arrive compressed (Content-Encoding: gzip or deflate), decoded so that
// keyrelay can classify them (is this key rejected?) and scrub a key the provider echoed, whatever
// Accept-Encoding the client sent. zlib does the work.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace keyrelay::gateway {

// The client's Accept-Encoding reduced to the codings keyrelay can decode (gzip, x-gzip, deflate,
// identity; q-values kept); "" when none is left, and the header is then not sent (the provider
// answers uncompressed). "*" is dropped: it would let the provider pick a coding keyrelay cannot read.
std::string decodable_accept_encoding(std::string_view accept_encoding);

// True when `content_encoding` (a Content-Encoding value; "" = none) is empty, identity, or a
// list of codings decode_body() understands.
bool can_decode(std::string_view content_encoding);

// `body` with `content_encoding` undone (codings applied in order, undone in reverse).
// upstream_error when a coding is unknown, the data is corrupt or truncated, or the decoded body
// would exceed `max_bytes` (a small compressed answer may expand enormously).
core::Result<std::string> decode_body(std::string_view content_encoding, std::string_view body, std::size_t max_bytes);

}  // namespace keyrelay::gateway
