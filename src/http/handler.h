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
};

}  // namespace keyrelay::http
