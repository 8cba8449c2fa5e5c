#pragma once
// A route handler: a coroutine that turns a request into a response. It runs on the connection's
// strand; blocking work (database, disk) must be handed to a worker pool and awaited.
// Handlers report failures as a Response built by error_response(); a thrown exception becomes a
// 500 with no details (and a log line with the request id).

#include <cstddef>
#include <functional>
#include <optional>

#include <boost/asio/awaitable.hpp>

#include "http/request.h"
#include "http/request_context.h"
#include "http/response.h"

namespace keyrelay::http {

using Handler = std::function<boost::asio::awaitable<Response>(Request&, RequestContext&)>;

struct RouteOptions {
  // Largest body this route accepts; unset: the server's default (KEYRELAY_HTTP_MAX_BODY_BYTES).
  std::optional<std::size_t> max_body_bytes;
  // Set: a body larger than this many bytes, or chunked, is not read before the handler runs but
  // handed over as Request::body_source, read as it arrives (uploads passed on to a provider).
  // Smaller bodies are read whole into Request::body as usual.
  std::optional<std::size_t> stream_body_above;
};

}  // namespace keyrelay::http
