#pragma once
// The two streams a session serves on, and the reads and writes it makes on each, chosen once per
// connection by the session's type. Internal to http/ (includes Asio's ssl).
//
// PlainStream is the raw socket with the eager reads and writes of http/eager_io.h: a request that
// is already in the buffer costs no turn of the event loop (issue 14). TlsStream is OpenSSL on top
// of the socket; its reads and writes are always asynchronous: a TLS record is decrypted or
// encrypted inside Asio's ssl engine, so a synchronous attempt on the non-blocking socket would gain
// nothing and could leave the engine in the middle of a record.
// The socket under either stream is what the Deadline cancels and what shutdown closes.

#include <type_traits>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "http/eager_io.h"

namespace keyrelay::http {

using PlainStream = boost::asio::ip::tcp::socket;
using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

template <class Stream>
inline constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

inline boost::asio::ip::tcp::socket& socket_of(PlainStream& stream) noexcept { return stream; }
inline boost::asio::ip::tcp::socket& socket_of(TlsStream& stream) noexcept { return stream.next_layer(); }

// All of `buffers` (taken by value: the coroutine may outlive the caller's temporary).
template <class ConstBuffers>
boost::asio::awaitable<IoResult> write_all(PlainStream& stream, ConstBuffers buffers) {
  return write_eagerly(stream, std::move(buffers));
}
template <class ConstBuffers>
boost::asio::awaitable<IoResult> write_all(TlsStream& stream, ConstBuffers buffers) {
  auto [ec, n] = co_await boost::asio::async_write(stream, buffers, boost::asio::as_tuple(boost::asio::use_awaitable));
  co_return IoResult{ec, n};
}

// The head of the message `parser` reads.
template <class Buffer, class Parser>
boost::asio::awaitable<IoResult> read_request_head(PlainStream& stream, Buffer& buffer, Parser& parser) {
  return read_header_eagerly(stream, buffer, parser);
}
template <class Buffer, class Parser>
boost::asio::awaitable<IoResult> read_request_head(TlsStream& stream, Buffer& buffer, Parser& parser) {
  auto [ec, n] = co_await boost::beast::http::async_read_header(stream, buffer, parser,
                                                                boost::asio::as_tuple(boost::asio::use_awaitable));
  co_return IoResult{ec, n};
}

// The rest of the message `parser` reads.
template <class Buffer, class Parser>
boost::asio::awaitable<IoResult> read_request_rest(PlainStream& stream, Buffer& buffer, Parser& parser) {
  return read_eagerly(stream, buffer, parser);
}
template <class Buffer, class Parser>
boost::asio::awaitable<IoResult> read_request_rest(TlsStream& stream, Buffer& buffer, Parser& parser) {
  auto [ec, n] =
      co_await boost::beast::http::async_read(stream, buffer, parser, boost::asio::as_tuple(boost::asio::use_awaitable));
  co_return IoResult{ec, n};
}

// Some of the message `parser` reads.
template <class Buffer, class Parser>
boost::asio::awaitable<IoResult> read_request_part(PlainStream& stream, Buffer& buffer, Parser& parser) {
  return read_some_eagerly(stream, buffer, parser);
}
template <class Buffer, class Parser>
boost::asio::awaitable<IoResult> read_request_part(TlsStream& stream, Buffer& buffer, Parser& parser) {
  auto [ec, n] = co_await boost::beast::http::async_read_some(stream, buffer, parser,
                                                              boost::asio::as_tuple(boost::asio::use_awaitable));
  co_return IoResult{ec, n};
}

}  // namespace keyrelay::http
