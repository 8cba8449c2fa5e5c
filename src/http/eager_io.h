#pragma once
// Reads and writes tried at once, waiting only when the socket is not ready. Internal to http/ and
// gateway/ (includes Beast).
//
// An Asio operation that could finish at once (the request already in the read buffer, a socket
// that takes a small answer whole) still posts its completion: one more turn of the I/O thread's
// event loop, with its epoll_wait, per read or write. The socket is put in non-blocking mode, so a
// plain read or write either succeeds now or fails with would_block; only then does the
// asynchronous operation start, and it continues where the attempt stopped (the parser, buffer and
// serializer keep their state). Waiting only after would_block also keeps Asio's edge-triggered
// epoll safe: any byte that arrives later raises a new edge.

#include <cstddef>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace keyrelay::http {

using IoResult = std::tuple<boost::beast::error_code, std::size_t>;

// The socket must be in non-blocking mode (socket.non_blocking(true)). `buffers` is taken by value,
// as Asio takes buffer sequences: the coroutine may run after the caller's temporary is gone.
template <class Socket, class ConstBuffers>
boost::asio::awaitable<IoResult> write_eagerly(Socket& socket, ConstBuffers buffers) {
  boost::beast::error_code ec;
  const std::size_t now = boost::asio::write(socket, buffers, ec);
  if (ec != boost::asio::error::would_block) co_return IoResult{ec, now};
  boost::beast::buffers_suffix<ConstBuffers> rest(buffers);
  rest.consume(now);
  auto [later_ec, later] = co_await boost::asio::async_write(socket, rest, boost::asio::as_tuple(boost::asio::use_awaitable));
  co_return IoResult{later_ec, now + later};
}

template <class Socket, class Buffer, class Parser>
boost::asio::awaitable<IoResult> read_header_eagerly(Socket& socket, Buffer& buffer, Parser& parser) {
  boost::beast::error_code ec;
  const std::size_t now = boost::beast::http::read_header(socket, buffer, parser, ec);
  if (ec != boost::asio::error::would_block) co_return IoResult{ec, now};
  auto [later_ec, later] =
      co_await boost::beast::http::async_read_header(socket, buffer, parser, boost::asio::as_tuple(boost::asio::use_awaitable));
  co_return IoResult{later_ec, now + later};
}

// The rest of the message `parser` reads.
template <class Socket, class Buffer, class Parser>
boost::asio::awaitable<IoResult> read_eagerly(Socket& socket, Buffer& buffer, Parser& parser) {
  boost::beast::error_code ec;
  const std::size_t now = boost::beast::http::read(socket, buffer, parser, ec);
  if (ec != boost::asio::error::would_block) co_return IoResult{ec, now};
  auto [later_ec, later] =
      co_await boost::beast::http::async_read(socket, buffer, parser, boost::asio::as_tuple(boost::asio::use_awaitable));
  co_return IoResult{later_ec, now + later};
}

// Some of the message `parser` reads (what is there now, else at least one read's worth).
template <class Socket, class Buffer, class Parser>
boost::asio::awaitable<IoResult> read_some_eagerly(Socket& socket, Buffer& buffer, Parser& parser) {
  boost::beast::error_code ec;
  const std::size_t now = boost::beast::http::read_some(socket, buffer, parser, ec);
  if (ec != boost::asio::error::would_block) co_return IoResult{ec, now};
  auto [later_ec, later] =
      co_await boost::beast::http::async_read_some(socket, buffer, parser, boost::asio::as_tuple(boost::asio::use_awaitable));
  co_return IoResult{later_ec, now + later};
}

}  // namespace keyrelay::http
