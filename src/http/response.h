#pragma once
// A response as handlers build it. The session adds X-Request-Id, Content-Length, Connection and
// the default security headers, then moves the body onto the wire.

#include <string>

#include "http/headers.h"

namespace keyrelay::http {

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

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
