#pragma once
// What the server knows about a request besides its bytes: who sent it, its id, which route
// matched. One per request, owned by the session for the duration of the handler call.

#include <chrono>
#include <string>
#include <string_view>

#include "http/headers.h"

namespace keyrelay::http {

struct RequestContext {
  std::string request_id;   // taken from a well-formed X-Request-Id, or generated
  std::string_view route;   // the matched pattern ("/api/v1/keys/{id}"); empty when none matched
  std::string remote_ip;    // socket peer address
  std::string client_ip;    // the client: X-Forwarded-For from a trusted proxy, else the peer
  std::chrono::steady_clock::time_point started_at;
  // Headers the session adds to whatever response the handler returns (unless it set them itself):
  // the RateLimit-* headers of a bucket the request was charged to.
  Headers response_headers;
};

}  // namespace keyrelay::http
