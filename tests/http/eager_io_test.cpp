#include "http/eager_io.h"

#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <gtest/gtest.h>

namespace keyrelay::http {
namespace {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

// A connected pair of loopback sockets; `ours` is non-blocking, as a session's is.
struct SocketPair {
  net::io_context io{1};
  tcp::socket ours{io};
  tcp::socket peer{io};
  SocketPair() {
    tcp::acceptor acceptor(io, {net::ip::address_v4::loopback(), 0});
    peer.connect(acceptor.local_endpoint());
    acceptor.accept(ours);
    ours.non_blocking(true);
  }
};

template <class T>
T run(SocketPair& s, net::awaitable<T> work) {
  auto future = net::co_spawn(s.io, std::move(work), net::use_future);
  s.io.run();
  s.io.restart();
  return future.get();
}

TEST(EagerIo, AHeadAlreadyThereIsReadAtOnce) {
  SocketPair s;
  net::write(s.peer, net::buffer(std::string("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")));
  boost::beast::flat_buffer buffer;
  bhttp::request_parser<bhttp::string_body> parser;
  auto [ec, n] = run(s, read_header_eagerly(s.ours, buffer, parser));
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(parser.is_header_done());
  EXPECT_EQ(parser.get().target(), "/a");
}

TEST(EagerIo, AHeadThatArrivesInPiecesIsWaitedForWhereTheAttemptStopped) {
  SocketPair s;
  net::write(s.peer, net::buffer(std::string("POST /b HTTP/1.1\r\nHost: x\r\nContent-")));
  boost::beast::flat_buffer buffer;
  bhttp::request_parser<bhttp::string_body> parser;
  auto future = net::co_spawn(
      s.io,
      [&]() -> net::awaitable<IoResult> {
        auto head = co_await read_header_eagerly(s.ours, buffer, parser);
        if (std::get<0>(head)) co_return head;
        co_return co_await read_eagerly(s.ours, buffer, parser);
      },
      net::use_future);
  s.io.run_for(std::chrono::milliseconds(50));  // the attempt met would_block and now waits
  EXPECT_FALSE(parser.is_header_done());
  net::write(s.peer, net::buffer(std::string("Length: 5\r\n\r\nhe")));
  s.io.run_for(std::chrono::milliseconds(50));
  net::write(s.peer, net::buffer(std::string("llo")));
  s.io.run_for(std::chrono::milliseconds(200));
  ASSERT_EQ(future.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  auto [ec, n] = future.get();
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(parser.get().body(), "hello");
}

TEST(EagerIo, AWriteLargerThanTheSocketTakesAtOnceFinishesAsTheReaderDrains) {
  SocketPair s;
  const std::string big(8 * 1024 * 1024, 'x');  // far beyond the loopback socket buffers
  // The buffer sequence is a temporary that is gone before the coroutine first runs.
  auto writing = net::co_spawn(s.io, write_eagerly(s.ours, net::buffer(big)), net::use_future);
  std::string received(big.size(), '\0');
  auto reading = net::co_spawn(
      s.io,
      [&]() -> net::awaitable<std::size_t> {
        co_return co_await net::async_read(s.peer, net::buffer(received), net::use_awaitable);
      },
      net::use_future);
  s.io.run_for(std::chrono::seconds(20));
  ASSERT_EQ(writing.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  ASSERT_EQ(reading.wait_for(std::chrono::seconds(0)), std::future_status::ready) << "bytes were lost on the way";
  auto [ec, written] = writing.get();
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(written, big.size());
  EXPECT_EQ(reading.get(), big.size());
  EXPECT_EQ(received, big);
}

TEST(EagerIo, APeerThatLeftIsAnErrorNotAWait) {
  SocketPair s;
  s.peer.close();
  boost::beast::flat_buffer buffer;
  bhttp::request_parser<bhttp::string_body> parser;
  auto [ec, n] = run(s, read_header_eagerly(s.ours, buffer, parser));
  EXPECT_TRUE(ec);
  EXPECT_NE(ec, net::error::would_block);
}

}  // namespace
}  // namespace keyrelay::http
