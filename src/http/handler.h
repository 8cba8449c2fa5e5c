#pragma once
// A route handler: a coroutine that turns a request into a response. It runs on the connection's
// I/O thread; blocking work (database, disk) must be handed to a worker pool and awaited.
// A handler reports a failure by returning the core::Error: the session answers it in the error
// shape of the route's family (Router::set_error_shape) with the request id, so no handler builds
// an error body. A thrown exception becomes an internal error with no details (and a log line with
// the request id). Headers an error answer needs besides the shape's own (X-Keyrelay-Attempts) go
// into RequestContext::response_headers.
//
// A handler may come with a head check: the server runs it on the request head before it reads a
// large body (ServerOptions::head_check_above), so that a request the handler would refuse anyway
// (bad credentials) is answered without the server first reading megabytes for it.

#include <cstddef>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include <boost/asio/awaitable.hpp>

#include "core/result.h"
#include "http/request.h"
#include "http/request_context.h"
#include "http/response.h"

namespace keyrelay::http {

// Vets a request from its head alone (`head.body` is empty, `head.body_source` null): success to go
// on, or the error to answer instead (in the route's error shape). The body is then never read; the
// server answers with Connection: close and drains what the client still sends before it closes.
using HeadCheck = std::function<boost::asio::awaitable<core::Result<void>>(const Request& head, RequestContext&)>;

class Handler {
 public:
  using Respond = std::function<boost::asio::awaitable<core::Result<Response>>(Request&, RequestContext&)>;

  Handler() = default;
  // Any callable with Respond's signature (a lambda): a handler without a head check.
  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, Handler> && std::is_constructible_v<Respond, F>)
  Handler(F&& respond) : respond_(std::forward<F>(respond)) {}  // NOLINT: implicit on purpose
  Handler(Respond respond, HeadCheck check_head) : respond_(std::move(respond)), check_head_(std::move(check_head)) {}

  boost::asio::awaitable<core::Result<Response>> operator()(Request& request, RequestContext& ctx) const {
    return respond_(request, ctx);
  }
  // Empty when the handler has none.
  const HeadCheck& check_head() const noexcept { return check_head_; }

 private:
  Respond respond_;
  HeadCheck check_head_;
};

struct RouteOptions {
  // Largest body this route accepts; unset: the server's default (KEYRELAY_HTTP_MAX_BODY_BYTES).
  std::optional<std::size_t> max_body_bytes;
  // Set: a body larger than this many bytes, or chunked, is not read before the handler runs but
  // handed over as Request::body_source, read as it arrives (uploads passed on to a provider).
  // Smaller bodies are read whole into Request::body as usual.
  std::optional<std::size_t> stream_body_above;
};

}  // namespace keyrelay::http
