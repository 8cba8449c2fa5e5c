// Request bodies read while the handler runs (RouteOptions::stream_body_above): pieces arrive as the
// client sends them, limits still hold, an unread body closes the connection, small bodies stay
// buffered.

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/spawned.h"
#include "in_process_server.h"

namespace keyrelay::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

// Reads a whole streamed body, noting its length, a checksum and how many pieces it came in.
struct Drained {
  std::size_t bytes = 0;
  std::uint64_t checksum = 0;
  int pieces = 0;
};

net::awaitable<core::Result<Drained>> drain(BodySource& source, std::atomic<int>* pieces_seen = nullptr) {
  Drained out;
  for (;;) {
    auto piece = co_await source.read_some();
    if (!piece) co_return piece.error();
    if (piece->empty()) co_return out;
    for (const unsigned char c : *piece) out.checksum = out.checksum * 31 + c;
    out.bytes += piece->size();
    ++out.pieces;
    if (pieces_seen) pieces_seen->store(out.pieces);
  }
}

Response answer(const core::Result<Drained>& drained) {
  if (!drained) return Response::json(413, R"({"error":")" + drained.error().message + "\"}");
  return Response::json(200, "{\"bytes\":" + std::to_string(drained->bytes) + ",\"checksum\":" +
                                 std::to_string(drained->checksum) + "}");
}

std::uint64_t checksum_of(std::string_view data, std::uint64_t start = 0) {
  for (const unsigned char c : data) start = start * 31 + c;
  return start;
}

std::string chunk(std::string_view data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return std::string(size) + std::string(data) + "\r\n";
}

std::string payload(std::size_t n, char seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + i % 61);
  return s;
}

class StreamedRequestBodyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Streams every body (threshold 0) and reads it all.
    router_.add(Method::post, "/upload",
                [this](Request& req, RequestContext&) -> net::awaitable<core::Result<Response>> {
                  if (!req.body_source) co_return Response::json(500, R"({"error":"no body source"})");
                  length_seen_ = req.body_source->content_length().value_or(0);
                  auto drained = co_await drain(*req.body_source, &pieces_seen_);
                  co_return answer(drained);
                },
                {.max_body_bytes = 4 * 1024 * 1024, .stream_body_above = 0});
    // Reads the body from a coroutine on another strand, as the upstream client does.
    router_.add(Method::post, "/elsewhere",
                [this](Request& req, RequestContext&) -> net::awaitable<core::Result<Response>> {
                  auto other = net::make_strand(other_io_);
                  auto source = req.body_source;
                  // Named, not a temporary: GCC 12 destroys a temporary in a co_await expression twice.
                  auto read_there = [source]() -> net::awaitable<core::Spawned<Drained>> {
                    co_return co_await drain(*source);
                  };
                  auto drained = co_await net::co_spawn(other, read_there, net::use_awaitable);
                  co_return answer(drained.value);
                },
                {.max_body_bytes = 4 * 1024 * 1024, .stream_body_above = 0});
    // Streams only bodies over 1 KiB; says which way the body came.
    router_.add(Method::post, "/mixed",
                [](Request& req, RequestContext&) -> net::awaitable<core::Result<Response>> {
                  if (!req.body_source)
                    co_return Response::json(200, "{\"buffered\":" + std::to_string(req.body.size()) + "}");
                  auto drained = co_await drain(*req.body_source);
                  co_return Response::json(200, "{\"streamed\":" + std::to_string(drained ? drained->bytes : 0) + "}");
                },
                {.max_body_bytes = 100 * 1024, .stream_body_above = 1024});
    // Answers without reading the body at all (an auth failure, say).
    router_.add(Method::post, "/ignore",
                [](Request&, RequestContext&) -> net::awaitable<core::Result<Response>> {
                  co_return Response::json(401, R"({"error":"no"})");
                },
                {.max_body_bytes = 64 * 1024 * 1024, .stream_body_above = 0});
    router_.add(Method::get, "/fast", [](Request&, RequestContext&) -> net::awaitable<core::Result<Response>> {
      co_return Response::json(200, R"({"ok":true})");
    });
    other_thread_ = std::thread([this] {
      auto guard = net::make_work_guard(other_io_);
      other_io_.run();
    });
  }

  void TearDown() override {
    server_.stop();
    other_io_.stop();
    other_thread_.join();
  }

  Router router_;
  testing::InProcessServer server_{router_};
  std::atomic<int> pieces_seen_{0};
  std::atomic<std::size_t> length_seen_{0};
  net::io_context other_io_;
  std::thread other_thread_;
};

TEST_F(StreamedRequestBodyTest, ChunkedUploadReachesTheHandlerBeforeTheClientFinishedSending) {
  server_.start();
  auto s = server_.connect();
  const std::string first = payload(64 * 1024, 'a');
  const std::string rest = payload(1024 * 1024 - first.size(), 'k');
  testing::InProcessServer::send(s, "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(first));
  // The handler holds the first piece while the rest is not even sent.
  for (int i = 0; i < 500 && pieces_seen_.load() == 0; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_GT(pieces_seen_.load(), 0) << "the handler did not get the first piece before the rest was sent";
  for (std::size_t at = 0; at < rest.size(); at += 100'000)
    testing::InProcessServer::send(s, chunk(std::string_view(rest).substr(at, 100'000)));
  testing::InProcessServer::send(s, "0\r\n\r\n");

  beast::flat_buffer buf;
  auto res = testing::InProcessServer::read_response(s, buf);
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(res.body(), "{\"bytes\":1048576,\"checksum\":" + std::to_string(checksum_of(rest, checksum_of(first))) + "}");
  EXPECT_EQ(length_seen_.load(), 0u) << "a chunked body has no length";
  // A body read to its end leaves the connection usable.
  EXPECT_TRUE(res.keep_alive());
  testing::InProcessServer::send(s, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(testing::InProcessServer::read_response(s, buf).result_int(), 200);
}

TEST_F(StreamedRequestBodyTest, ContentLengthBodyIsStreamedWithItsLengthKnown) {
  server_.start();
  auto s = server_.connect();
  const std::string body = payload(300'000, 'c');
  testing::InProcessServer::send(s, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 300000\r\n\r\n" + body);
  beast::flat_buffer buf;
  auto res = testing::InProcessServer::read_response(s, buf);
  EXPECT_EQ(res.body(), "{\"bytes\":300000,\"checksum\":" + std::to_string(checksum_of(body)) + "}");
  EXPECT_EQ(length_seen_.load(), 300'000u);
  EXPECT_GT(pieces_seen_.load(), 1) << "300 KB should arrive in several pieces";
}

TEST_F(StreamedRequestBodyTest, BodyCanBeReadFromAnotherStrand) {
  server_.start();
  auto s = server_.connect();
  const std::string body = payload(200'000, 'e');
  testing::InProcessServer::send(s, "POST /elsewhere HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n" + body);
  beast::flat_buffer buf;
  auto res = testing::InProcessServer::read_response(s, buf);
  EXPECT_EQ(res.body(), "{\"bytes\":200000,\"checksum\":" + std::to_string(checksum_of(body)) + "}");
}

TEST_F(StreamedRequestBodyTest, SmallBodiesStayBufferedAndLargeOrChunkedOnesStream) {
  server_.start();
  auto s = server_.connect();
  beast::flat_buffer buf;
  testing::InProcessServer::send(s, "POST /mixed HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n" + payload(1024, 'a'));
  EXPECT_EQ(testing::InProcessServer::read_response(s, buf).body(), R"({"buffered":1024})");
  testing::InProcessServer::send(s, "POST /mixed HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n" + payload(1025, 'a'));
  EXPECT_EQ(testing::InProcessServer::read_response(s, buf).body(), R"({"streamed":1025})");
  testing::InProcessServer::send(s, "POST /mixed HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                                        chunk("tiny") + "0\r\n\r\n");
  EXPECT_EQ(testing::InProcessServer::read_response(s, buf).body(), R"({"streamed":4})");
}

TEST_F(StreamedRequestBodyTest, ContentLengthOverTheLimitIsRefusedBeforeTheHandler) {
  server_.start();
  auto s = server_.connect();
  testing::InProcessServer::send(s, "POST /mixed HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n");
  beast::flat_buffer buf;
  auto res = testing::InProcessServer::read_response(s, buf);
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_NE(res.body().find("payload_too_large"), std::string::npos);
  EXPECT_FALSE(res.keep_alive());
}

TEST_F(StreamedRequestBodyTest, ChunkedBodyOverTheLimitFailsTheReadAndCloses) {
  server_.start();
  auto s = server_.connect();
  testing::InProcessServer::send(s, "POST /mixed HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  const std::string piece = payload(50'000, 'z');
  beast::error_code ec;
  for (int i = 0; i < 3 && !ec; ++i) net::write(s, net::buffer(chunk(piece)), ec);  // 150 KB > 100 KiB
  beast::flat_buffer buf;
  auto res = testing::InProcessServer::read_response(s, buf);
  EXPECT_EQ(res.body(), R"({"streamed":0})") << "the handler saw the read fail";
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(testing::InProcessServer::peer_closed(s, buf));
}

TEST_F(StreamedRequestBodyTest, UnreadBodyIsAnsweredThenTheConnectionCloses) {
  server_.start();
  auto s = server_.connect();
  const std::string body = payload(2 * 1024 * 1024, 'u');
  testing::InProcessServer::send(s, "POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 2097152\r\n\r\n");
  // The client keeps sending while the answer is already on its way; it must still get the answer.
  std::thread sender([&] {
    beast::error_code ec;
    net::write(s, net::buffer(body), ec);
  });
  beast::flat_buffer buf;
  auto res = testing::InProcessServer::read_response(s, buf);
  sender.join();
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_FALSE(res.keep_alive()) << "the unread body cannot be skipped: Connection: close";
  EXPECT_TRUE(testing::InProcessServer::peer_closed(s, buf));
}

TEST_F(StreamedRequestBodyTest, ExpectContinueIsAnsweredWhenTheHandlerFirstReads) {
  server_.start();
  auto s = server_.connect();
  testing::InProcessServer::send(
      s, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\nExpect: 100-continue\r\n\r\n");
  std::string interim(25, '\0');
  net::read(s, net::buffer(interim));
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  const std::string body = payload(70'000, 'q');
  testing::InProcessServer::send(s, body);
  beast::flat_buffer buf;
  EXPECT_EQ(testing::InProcessServer::read_response(s, buf).body(),
            "{\"bytes\":70000,\"checksum\":" + std::to_string(checksum_of(body)) + "}");
}

// body_timeout bounds the whole body, not each read: a client dripping one byte every 200 ms never
// lets a single read wait 1 s, yet must be cut once 1 s has passed since the head.
TEST_F(StreamedRequestBodyTest, DrippedBodyIsCutAtTheTotalBodyTimeout) {
  ServerOptions options;
  options.body_timeout = 1s;
  server_.start(options);
  auto s = server_.connect();
  const auto cut_after = testing::InProcessServer::drip_body(
      s, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n", 100, 200ms);
  ASSERT_TRUE(cut_after) << "the server took a 20 s dripped body although body_timeout is 1 s";
  EXPECT_GE(*cut_after, 900ms) << "cut before the total had passed";
  EXPECT_LT(*cut_after, 3s);
  beast::flat_buffer buf;
  beast::error_code ec;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(s, buf, res, ec);
  if (!ec) {
    EXPECT_FALSE(res.keep_alive()) << "a cut body leaves the connection unusable";
  }
}

TEST_F(StreamedRequestBodyTest, BodyCutByTheClientIsAnErrorForTheHandler) {
  std::atomic<bool> failed{false};
  router_.add(Method::post, "/cut",
              [&failed](Request& req, RequestContext&) -> net::awaitable<core::Result<Response>> {
                auto drained = co_await drain(*req.body_source);
                failed = !drained && drained.error().code == core::Errc::invalid_request;
                co_return answer(drained);
              },
              {.stream_body_above = 0});
  server_.start();
  {
    auto s = server_.connect();
    testing::InProcessServer::send(s, "POST /cut HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
                                          payload(1000, 'a'));
    s.shutdown(tcp::socket::shutdown_send);
    beast::flat_buffer buf;
    beast::error_code ec;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(s, buf, res, ec);
  }
  for (int i = 0; i < 200 && !failed.load(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(failed.load());
}

}  // namespace
}  // namespace keyrelay::http
