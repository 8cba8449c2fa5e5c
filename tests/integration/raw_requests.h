#pragma once
// Requests that the server may answer before it has read them completely (an oversize body or
// head): the send may then fail because the server already closed, yet its error response is
// what the test wants to see.

#include <cstddef>
#include <optional>
#include <string_view>

#include "support/http_client.h"

namespace keyrelay::test {

// Sends `bytes`, ignoring a send that fails because the server closed early, then reads one
// response (nullopt when the connection closed without one).
std::optional<HttpResponse> send_and_read(HttpConnection& connection, std::string_view bytes);

// POST /anything with a body of exactly `size` bytes (no such route exists, so anything but a
// 413 is a 404 or 405).
std::optional<HttpResponse> post_body_of_size(HttpConnection& connection, std::size_t size);

// GET /healthz with one extra header `X-Padding` whose value is `size` bytes long.
std::optional<HttpResponse> get_with_header_of_size(HttpConnection& connection, std::size_t size);

}  // namespace keyrelay::test
