#include "http/request_parser.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

namespace keyrelay::http {
namespace {

namespace bhttp = boost::beast::http;

// Feeds `bytes` as a socket would deliver them, `step` at a time; returns the last error.
boost::beast::error_code feed(RequestParser& parser, std::string_view bytes, std::size_t step = 1 << 20) {
  boost::beast::error_code ec;
  std::string pending;
  while (!bytes.empty() || !pending.empty()) {
    const std::size_t n = std::min(step, bytes.size());
    pending.append(bytes.substr(0, n));
    bytes.remove_prefix(n);
    const std::size_t used = parser.put(boost::asio::buffer(pending.data(), pending.size()), ec);
    pending.erase(0, used);
    if (ec == bhttp::error::need_more) {
      if (bytes.empty()) return ec;
      ec = {};
      continue;
    }
    if (ec || parser.is_done()) return ec;
  }
  return ec;
}

TEST(RequestParser, KeepsTheRequestLineAndEveryFieldInOrder) {
  RequestParser parser;
  const auto ec = feed(parser,
                       "POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: kr\r\nX-Twice: a\r\nContent-Length: 2\r\n"
                       "x-twice: b\r\n\r\nhi",
                       3);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(parser.is_done());
  EXPECT_EQ(parser.method_text(), "POST");
  EXPECT_EQ(parser.target(), "/v1/chat/completions?x=1");
  ASSERT_EQ(parser.headers().size(), 4u);
  EXPECT_EQ(parser.headers().fields()[1], (Headers::Field{"X-Twice", "a"}));
  EXPECT_EQ(parser.headers().fields()[3], (Headers::Field{"x-twice", "b"}));
  EXPECT_EQ(parser.take_body(), "hi");
  EXPECT_TRUE(parser.keep_alive());
}

TEST(RequestParser, KeepsAChunkedBodyWholeHoweverItArrives) {
  RequestParser parser;
  const auto ec = feed(parser,
                       "POST /k HTTP/1.1\r\nHost: kr\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "5\r\nsk-ab\r\n3;ext=1\r\ncde\r\n0\r\n\r\n",
                       2);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(parser.is_done());
  EXPECT_EQ(parser.take_body(), "sk-abcde");
}

TEST(RequestParser, WritesALentBodyIntoTheRoomAndStopsWhenItIsFull) {
  RequestParser parser;
  std::string bytes = "PUT /s HTTP/1.1\r\nHost: kr\r\nContent-Length: 10\r\n\r\n0123456789";
  boost::beast::error_code ec;
  std::size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
  ASSERT_FALSE(ec);
  ASSERT_TRUE(parser.is_header_done());
  bytes.erase(0, used);
  std::array<char, 4> room{};
  std::string got;
  while (!parser.is_done()) {
    parser.lend(room);
    used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec == bhttp::error::need_buffer) ec = {};
    ASSERT_FALSE(ec) << ec.message();
    bytes.erase(0, used);
    ASSERT_LE(parser.written(), room.size());
    got.append(room.data(), parser.written());
  }
  EXPECT_EQ(got, "0123456789");
  EXPECT_TRUE(parser.take_body().empty());
}

// Beast's checks still hold: a request that could be read two ways is refused.
TEST(RequestParser, RefusesAmbiguousFramingAndOversizedHeads) {
  {
    RequestParser parser;
    EXPECT_TRUE(feed(parser, "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"));
  }
  {
    RequestParser parser;
    EXPECT_TRUE(feed(parser, "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"));
  }
  {
    RequestParser parser;
    EXPECT_TRUE(feed(parser, "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "3\r\nabc\r\n0\r\n\r\n"));
  }
  {
    RequestParser parser;
    parser.header_limit(64);
    EXPECT_EQ(feed(parser, "GET / HTTP/1.1\r\nX-Long: " + std::string(100, 'a') + "\r\n\r\n"),
              bhttp::error::header_limit);
  }
  {
    RequestParser parser;
    parser.body_limit(3);
    EXPECT_EQ(feed(parser, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0\r\n\r\n"),
              bhttp::error::body_limit);
  }
}

}  // namespace
}  // namespace keyrelay::http
