// A handler's head check (authentication, say) runs before the server reads a large or chunked
// body: a refused request is answered after its head, without the server first reading megabytes
// for it, and the client still reads the answer while it is sending.

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "in_process_server.h"

namespace keyrelay::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

class HeadCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Lets through only "Authorization: Bearer good"; the handler counts the body it got.
    auto check = [this](const Request& head, RequestContext&) -> net::awaitable<core::Result<void>> {
      ++checks_;
      if (head.headers.get("Authorization") == "Bearer good") co_return core::ok();
      co_return core::Error::unauthenticated("who are you");
    };
    auto respond = [this](Request& req, RequestContext&) -> net::awaitable<core::Result<Response>> {
      ++handled_;
      std::size_t bytes = req.body.size();
      if (req.body_source) {
        for (;;) {
          auto piece = co_await req.body_source->read_some();
          if (!piece || piece->empty()) break;
          bytes += piece->size();
        }
      }
      co_return Response::json(200, "{\"bytes\":" + std::to_string(bytes) + "}");
    };
    router_.add(Method::post, "/buffered", Handler(respond, check), {.max_body_bytes = 4 * 1024 * 1024});
    router_.add(Method::post, "/streamed", Handler(respond, check),
                {.max_body_bytes = 4 * 1024 * 1024, .stream_body_above = 0});
    server_.start();
  }

  // Sends the head and `sent` bytes of a `length`-byte body, then waits for an answer.
  std::optional<bhttp::response<bhttp::string_body>> answer_before_the_rest(tcp::socket& s, std::string_view auth,
                                                                            std::size_t length, std::size_t sent) {
    testing::InProcessServer::send(s, "POST /buffered HTTP/1.1\r\nHost: x\r\nAuthorization: " + std::string(auth) +
                                          "\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n" +
                                          std::string(sent, 'b'));
    if (!testing::InProcessServer::readable_within(s, 5s)) return std::nullopt;
    beast::flat_buffer buf;
    return testing::InProcessServer::read_response(s, buf);
  }

  Router router_;
  testing::InProcessServer server_{router_};
  std::atomic<int> checks_{0};
  std::atomic<int> handled_{0};
};

TEST_F(HeadCheckTest, LargeBodyRefusedByItsHeadIsAnsweredBeforeTheBodyIsSent) {
  auto s = server_.connect();
  // 100 KiB of a 1 MiB body: a server that reads the body first would wait for the rest.
  auto res = answer_before_the_rest(s, "Bearer bad", 1024 * 1024, 100 * 1024);
  ASSERT_TRUE(res) << "no answer while the rest of the body was not sent";
  EXPECT_EQ(res->result_int(), 401);
  EXPECT_FALSE(res->keep_alive()) << "the unread body cannot be skipped: Connection: close";
  EXPECT_EQ(checks_.load(), 1);
  EXPECT_EQ(handled_.load(), 0) << "a refused request never reaches its handler";
}

TEST_F(HeadCheckTest, LargeBodyWithAnAcceptedHeadReachesTheHandler) {
  auto s = server_.connect();
  testing::InProcessServer::send(s, "POST /buffered HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer good\r\n"
                                    "Content-Length: 1048576\r\n\r\n" + std::string(1024 * 1024, 'b'));
  beast::flat_buffer buf;
  auto res = testing::InProcessServer::read_response(s, buf);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), R"({"bytes":1048576})");
  EXPECT_TRUE(res.keep_alive());
  EXPECT_EQ(checks_.load(), 1);
}

TEST_F(HeadCheckTest, SmallBodyGoesStraightToTheHandler) {
  auto s = server_.connect();
  testing::InProcessServer::send(s, "POST /buffered HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer bad\r\n"
                                    "Content-Length: 65536\r\n\r\n" + std::string(64 * 1024, 'b'));
  beast::flat_buffer buf;
  EXPECT_EQ(testing::InProcessServer::read_response(s, buf).result_int(), 200);
  EXPECT_EQ(checks_.load(), 0) << "64 KiB is read first; the handler checks it itself";
}

TEST_F(HeadCheckTest, ChunkedBodyIsCheckedBeforeItIsRead) {
  auto s = server_.connect();
  testing::InProcessServer::send(s, "POST /buffered HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer bad\r\n"
                                    "Transfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n");
  ASSERT_TRUE(testing::InProcessServer::readable_within(s, 5s)) << "no answer before the chunked body ended";
  beast::flat_buffer buf;
  auto res = testing::InProcessServer::read_response(s, buf);
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HeadCheckTest, StreamedBodyIsCheckedBeforeTheHandlerGetsIt) {
  auto s = server_.connect();
  testing::InProcessServer::send(s, "POST /streamed HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer bad\r\n"
                                    "Content-Length: 1048576\r\n\r\n" + std::string(1000, 'b'));
  ASSERT_TRUE(testing::InProcessServer::readable_within(s, 5s));
  beast::flat_buffer buf;
  EXPECT_EQ(testing::InProcessServer::read_response(s, buf).result_int(), 401);
  EXPECT_EQ(handled_.load(), 0);
}

// The client keeps writing its 2 MiB while the refusal is on its way: it must still read it
// (the server drains before it closes instead of resetting the connection).
TEST_F(HeadCheckTest, ClientWritingItsWholeBodyStillReadsTheRefusal) {
  auto s = server_.connect();
  std::thread sender([&] {
    beast::error_code ec;
    net::write(s, net::buffer("POST /buffered HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer bad\r\n"
                              "Content-Length: 2097152\r\n\r\n" + std::string(2 * 1024 * 1024, 'b')), ec);
  });
  beast::flat_buffer buf;
  beast::error_code ec;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(s, buf, res, ec);
  sender.join();
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.result_int(), 401);
}

}  // namespace
}  // namespace keyrelay::http
