#pragma once
// A response as handlers build it. The session adds X-Request-Id, Content-Length, Connection and
// the default security headers, then moves the body onto the wire — or, when `stream` is set,
// sends the head with chunked transfer encoding and lets the stream write the body.

#include <memory>
#include <string>

#include "http/body_stream.h"
#include "http/headers.h"

namespace keyrelay::http {

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  std::shared_ptr<BodyStream> stream;  // when set, the body (and `body` is ignored)

  static Response json(int status, std::string body) {
    Response r;
    r.status = status;
    r.headers.set("Content-Type", "application/json");
    r.body = std::move(body);
    return r;
  }
  static Response empty(int status) {
    Response r;
    r.status = status;
    return r;
  }
};

}  // namespace keyrelay::http
