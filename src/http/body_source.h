#pragma once
// A request body read while the handler runs (an upload passed on to a provider), instead of being
// read whole before the handler is called. The counterpart of BodyStream for the request direction.
//
// Not thread-safe: read it from one coroutine at a time. Lifetime: a source borrows the client's
// connection, so the handler must finish using it before it returns (or hand it to the response's
// BodyStream, which the session keeps alive until the response is written); afterwards every
// read_some() fails.

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
  // limit, invalid_request for a malformed or cut body (timeout, reset); after one, every call fails.
  virtual boost::asio::awaitable<core::Result<std::string_view>> read_some() = 0;
  // The body's length when the client sent Content-Length; nullopt for a chunked body.
  virtual std::optional<std::size_t> content_length() const noexcept = 0;
};

}  // namespace keyrelay::http
