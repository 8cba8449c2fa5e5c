#include "gateway/answer_parser.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

namespace keyrelay::gateway {
namespace {

namespace bhttp = boost::beast::http;

// Reads the body of `bytes` (its head already parsed) through a room of `room_size` bytes.
std::string body_through_room(AnswerParser& parser, std::string bytes, std::size_t room_size) {
  std::string room(room_size, '\0');
  std::string got;
  boost::beast::error_code ec;
  while (!parser.is_done() && !bytes.empty()) {
    parser.lend({room.data(), room.size()});
    const std::size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec == bhttp::error::need_buffer || ec == bhttp::error::need_more) ec = {};
    EXPECT_FALSE(ec) << ec.message();
    if (ec) break;
    bytes.erase(0, used);
    got.append(room.data(), parser.written());
  }
  return got;
}

TEST(AnswerParser, KeepsTheStatusAndFieldsAndLendsTheBodyPieceByPiece) {
  AnswerParser parser;
  std::string bytes =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nX-Request-Id: r1\r\n\r\n"
      "7\r\ndata: 1\r\n7\r\ndata: 2\r\n0\r\n\r\n";
  boost::beast::error_code ec;
  const std::size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(parser.is_header_done());
  EXPECT_EQ(parser.status(), 200);
  ASSERT_EQ(parser.headers().size(), 3u);
  EXPECT_EQ(parser.headers().get("x-request-id"), "r1");
  EXPECT_EQ(body_through_room(parser, bytes.substr(used), 3), "data: 1data: 2");
  EXPECT_TRUE(parser.is_done());
  EXPECT_TRUE(parser.keep_alive());
}

TEST(AnswerParser, AnAnswerWithoutLengthEndsWithTheConnection) {
  AnswerParser parser;
  std::string bytes = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it";
  boost::beast::error_code ec;
  const std::size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
  ASSERT_FALSE(ec);
  EXPECT_TRUE(parser.need_eof());
  EXPECT_FALSE(parser.keep_alive());
  EXPECT_EQ(body_through_room(parser, bytes.substr(used), 64), "all of it");
  parser.put_eof(ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(parser.is_done());
}

TEST(AnswerParser, RefusesAnAnswerThatCouldBeReadTwoWays) {
  AnswerParser parser;
  std::string bytes = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd";
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
  EXPECT_TRUE(ec);
}

}  // namespace
}  // namespace keyrelay::gateway
