#include "http/session_body_source.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>

#include "core/secret.h"

namespace keyrelay::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

constexpr auto as_result = net::as_tuple(net::use_awaitable);

core::Error body_error(const beast::error_code& ec, std::size_t body_limit) {
  if (ec == bhttp::error::body_limit)
    return core::Error::payload_too_large("request body is larger than " + std::to_string(body_limit) + " bytes");
  if (ec == beast::error::timeout) return core::Error::invalid_request("the request body did not arrive in time");
  if (ec == bhttp::error::partial_message || ec == net::error::eof || ec == net::error::connection_reset)
    return core::Error::invalid_request("the request body was cut off");
  return core::Error::invalid_request("the request body is malformed");
}

}  // namespace

template <class Stream>
SessionBodySource<Stream>::SessionBodySource(Stream& stream, Deadline& io_deadline, ReadBuffer& buffer,
                                     RequestParser&& head_parser, std::size_t body_limit,
                                     bool expect_continue, Timeouts timeouts, std::shared_ptr<void> owner)
    : stream_(stream),
      io_deadline_(io_deadline),
      buffer_(buffer),
      parser_(std::move(head_parser)),
      strand_(stream.get_executor()),
      body_limit_(body_limit),
      expect_continue_(expect_continue),
      timeouts_(timeouts),
      owner_(std::move(owner)) {
  parser_.body_limit(body_limit);
  if (const auto length = parser_.content_length()) content_length_ = static_cast<std::size_t>(*length);
}

template <class Stream>
SessionBodySource<Stream>::~SessionBodySource() { core::wipe_memory(piece_.data(), piece_.size()); }

template <class Stream>
void SessionBodySource<Stream>::detach() noexcept {
  detached_ = true;
  owner_.reset();
}

template <class Stream>
net::awaitable<core::Result<std::string_view>> SessionBodySource<Stream>::read_some() {
  // Hop to the session's strand only when called from elsewhere (an upstream connection's strand).
  const net::any_io_executor here = co_await net::this_coro::executor;
  core::Spawned<std::size_t> n;
  if (here == strand_) n = co_await read_on_strand();
  else n = co_await net::co_spawn(strand_, read_on_strand(), net::use_awaitable);
  if (!n.value) co_return n.value.error();
  co_return std::string_view(piece_.data(), *n.value);
}

template <class Stream>
net::awaitable<core::Spawned<std::size_t>> SessionBodySource<Stream>::read_on_strand() {
  if (detached_) co_return core::Error::internal("the request body was read after its handler returned");
  if (error_) co_return *error_;
  if (parser_.is_done()) co_return std::size_t{0};

  // The client waits for this before sending a body it announced with "Expect: 100-continue".
  if (expect_continue_) {
    expect_continue_ = false;
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    io_deadline_.expires_after(timeouts_.write);
    auto [ec, written] = co_await write_all(stream_, net::buffer(kContinue));
    if (ec) {
      error_ = core::Error::invalid_request("the client went away before sending its body");
      co_return *error_;
    }
  }

  // body_timeout bounds the whole body, not each read: a client that drips a byte now and then
  // cannot hold the connection for longer than that.
  if (!deadline_) deadline_ = std::chrono::steady_clock::now() + timeouts_.body;
  // A read may end on a chunk header alone; keep reading until body bytes or the end arrive.
  for (;;) {
    parser_.lend(piece_);
    io_deadline_.expires_at(*deadline_);
    auto [ec, n] = co_await read_request_part(stream_, buffer_, parser_);
    if (ec == bhttp::error::need_buffer) ec = {};  // the piece is full: hand it over
    if (ec == net::error::operation_aborted && io_deadline_.expired()) ec = beast::error::timeout;
    if (ec) {
      error_ = body_error(ec, body_limit_);
      co_return *error_;
    }
    const std::size_t got = parser_.written();
    if (got > 0 || parser_.is_done()) {
      bytes_read_ += got;
      co_return got;
    }
  }
}

template class SessionBodySource<PlainStream>;
template class SessionBodySource<TlsStream>;

}  // namespace keyrelay::http
