#pragma once
// One client connection: reads requests one after another (HTTP/1.1 keep-alive), applies the
// limits, dispatches to the router and writes responses. Internal to http/ (includes Beast).
//
// All of a session's work runs on its executor (its I/O thread's io_context, run by that thread
// alone); begin_shutdown() and force_close() may be called from any thread and post themselves
// onto it. "strand-only" below means: touched only on that executor.
//
// A session is generic over its stream (http/session_stream.h), chosen once per connection: the
// plain socket, or TLS on it. Both run the same code; only the reads and writes differ, and a TLS
// session first completes the handshake (under the header timeout) and ends with a close_notify.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/error.hpp>

#include "core/error.h"
#include "http/deadline.h"
#include "http/read_buffer.h"
#include "http/request_parser.h"
#include "http/response.h"
#include "http/router.h"
#include "http/server_options.h"
#include "http/session_stream.h"

namespace keyrelay::http {

// What every session of one server shares. Outlives all sessions.
struct SessionShared {
  const ServerOptions& options;
  const Router& router;
  std::atomic<bool>& draining;
  std::atomic<std::int64_t>& open_streams;  // streamed responses being written now
};

// What the server does with a session of either stream.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Graceful: an idle connection closes now, a busy one after its current response.
  virtual void begin_shutdown() = 0;
  // Hard: closes the socket now, whatever is in flight.
  virtual void force_close() = 0;
};

template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  // `stream` is connected; a TlsStream has not done its handshake yet.
  Session(Stream stream, const SessionShared& shared, std::uint64_t id);

  // Serves requests until the peer leaves, a limit is hit, or the server drains.
  boost::asio::awaitable<void> run();

  void begin_shutdown() override;
  void force_close() override;

  std::uint64_t id() const noexcept { return id_; }

 private:
  // TLS: the handshake, under the header timeout; false when it failed (answered when the client
  // spoke plain HTTP). Plain: nothing to do.
  boost::asio::awaitable<bool> start_stream();
  // TLS: sends close_notify (without waiting for the peer's). Plain: nothing to do.
  boost::asio::awaitable<void> end_stream();
  boost::asio::ip::tcp::socket& socket() noexcept { return socket_of(stream_); }

  struct Exchange;  // one request's state while it is served

  // Serves one request; false when the connection must close. The steps below, in order.
  boost::asio::awaitable<bool> serve_one(bool first);
  // Waits for the first byte of a request; false when the peer left, timed out, or shutdown began.
  boost::asio::awaitable<bool> wait_for_request(bool first);
  boost::asio::awaitable<boost::beast::error_code> read_head(Exchange& ex);
  void route(Exchange& ex) const;
  std::optional<core::Error> refusal_before_body(Exchange& ex) const;
  // The route's head check, for a large body: the error when it refused the request.
  boost::asio::awaitable<std::optional<core::Error>> check_head(Exchange& ex);
  // Reads the body whole, or hands it to the handler as a body source; the read error if any.
  boost::asio::awaitable<boost::beast::error_code> take_body(Exchange& ex);
  // The handler's answer, or the answer to its error (also a thrown one, or no route).
  boost::asio::awaitable<Response> dispatch(Exchange& ex);
  boost::asio::awaitable<bool> finish(Exchange& ex, Response response);

  // 404, 405 (with Allow) or the refusal of a malformed target or method.
  core::Error unrouted_error(Exchange& ex) const;
  // The one mapping of an error to an answer: the error shape of the request's route family.
  Response error_answer(const Exchange& ex, const core::Error& error) const;
  // Answers an error the session finds before the handler's answer (413, 431, a refused head …)
  // with Connection: close, logs it, and has the connection drain what the client still sends
  // before it closes. Every such error goes through here.
  boost::asio::awaitable<void> reply_error(Exchange& ex, const core::Error& error);
  // A failed read of the head or body: answered when there is an answer to give; always false.
  boost::asio::awaitable<bool> close_after_read_error(Exchange& ex, boost::beast::error_code ec);

  // Writes `res` for `request_id`; returns bytes written, or 0 on a write failure.
  boost::asio::awaitable<std::size_t> write(Response&& res, std::string_view request_id, bool keep_alive);
  // Reads the rest of a body announced by the head `parser` read into `request.body`, under the
  // route's limit and body_timeout in total. Adds the bytes read to `bytes_in`.
  boost::asio::awaitable<boost::beast::error_code> read_body(RequestParser& parser, std::size_t body_limit,
                                                            bool expect_continue, Request& request,
                                                            std::size_t& bytes_in);
  // Reads and drops what the client still sends, for a short while, before the close.
  boost::asio::awaitable<void> drain_unread_body();
  // Reports an answered request to ServerOptions::on_request.
  void observe(std::string_view route, std::string_view method, int status,
               std::chrono::steady_clock::time_point started) const;
  // The head with chunked encoding, then the body as res.stream produces it.
  boost::asio::awaitable<std::size_t> write_streamed(Response&& res, std::string_view request_id, bool keep_alive);

  Stream stream_;
  Deadline deadline_;  // of the current read or write: cancels it when passed
  ReadBuffer buffer_;  // survives between requests: it may hold pipelined bytes
  const SessionShared& shared_;
  std::uint64_t id_;
  std::string remote_ip_;
  bool idle_ = true;            // waiting for the first byte of a request (strand-only)
  bool closing_ = false;        // finish the current request, then close (strand-only)
  bool broken_ = false;         // a streamed body was cut: the connection must close (strand-only)
  bool drain_before_close_ = false;  // request bytes were left unread (strand-only)
  bool stream_started_ = false;      // TLS: the handshake completed (strand-only)
};

extern template class Session<PlainStream>;
extern template class Session<TlsStream>;

// Writes a 503 and closes: the answer to a connection over max_connections (or over the cap of its
// client address). On a TLS listener the connection is closed without an answer: a 503 would cost
// the full handshake the cap is there to spare.
boost::asio::awaitable<void> refuse_connection(PlainStream socket, const ServerOptions& options);

}  // namespace keyrelay::http
