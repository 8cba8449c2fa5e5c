#pragma once
// A response body produced while it is sent (server-sent events, a proxied download): the handler
// returns a Response whose `stream` pumps the body into a BodySink, and the session sends each
// write as one HTTP/1.1 chunk at once, so an event reaches the client when it is ready.

#include <string_view>

#include <boost/asio/awaitable.hpp>

namespace keyrelay::http {

class BodySink {
 public:
  virtual ~BodySink() = default;
  // Sends `data` to the client now. False when the client is gone or did not take it within the
  // write timeout: stop producing then.
  virtual boost::asio::awaitable<bool> write(std::string_view data) = 0;
};

class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // Produces the whole body through `sink`. True when the body is complete; false to abort it: the
  // response then ends without its last chunk and the connection closes, so the client can tell a
  // cut body from a whole one.
  virtual boost::asio::awaitable<bool> pump(BodySink& sink) = 0;
};

}  // namespace keyrelay::http
