#pragma once
// A request body read while the handler runs (an upload passed on to a provider), instead of being
// read whole before the handler is called. The counterpart of BodyStream for the request direction.
// A route asks for it with RouteOptions::stream_body_above; the handler then finds the body in
// Request::body_source instead of Request::body.
//
// Read it from one coroutine at a time, from any executor (the source hops to the connection's
// strand itself). Lifetime: a source borrows the client's connection, so the handler must finish
// with it before it returns; afterwards every read_some() fails. A body the handler leaves unread
// makes the server close the connection after the response (its unread bytes cannot be skipped
// reliably).

#include <cstddef>
#include <optional>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "core/result.h"

namespace keyrelay::http {

class BodySource {
 public:
  virtual ~BodySource() = default;
  // The next piece of the body as soon as some bytes arrived (de-chunked); empty once the body
  // ended. The view is valid until the next call. Errors: payload_too_large past the route's body
  // limit, invalid_request for a malformed, cut or too slow body; after one, every call fails.
  virtual boost::asio::awaitable<core::Result<std::string_view>> read_some() = 0;
  // The body's length when the client sent Content-Length; nullopt for a chunked body.
  virtual std::optional<std::size_t> content_length() const noexcept = 0;
};

}  // namespace keyrelay::http
