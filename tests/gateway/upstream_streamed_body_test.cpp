#include "gateway/upstream_client.h"

#include <future>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "upstream_test_server.h"

// Request bodies read from an http::BodySource while they are sent upstream.
namespace keyrelay::gateway {
namespace {

namespace net = boost::asio;
using test::TestReply;
using test::TestRequest;
using test::UpstreamTestServer;

// Yields `body` in pieces of `piece` bytes; optionally fails after `fail_after` pieces.
class PieceSource final : public http::BodySource {
 public:
  PieceSource(std::string body, std::size_t piece, bool known_length, int fail_after = -1)
      : body_(std::move(body)), piece_(piece), known_length_(known_length), fail_after_(fail_after) {}

  net::awaitable<core::Result<std::string_view>> read_some() override {
    if (fail_after_ >= 0 && reads_ >= fail_after_) co_return core::Error::invalid_request("client went away");
    ++reads_;
    const std::string_view rest = std::string_view(body_).substr(offset_);
    const std::string_view out = rest.substr(0, piece_);
    offset_ += out.size();
    co_return out;
  }
  std::optional<std::size_t> content_length() const noexcept override {
    return known_length_ ? std::optional<std::size_t>(body_.size()) : std::nullopt;
  }
  int reads() const noexcept { return reads_; }

 private:
  std::string body_;
  std::size_t piece_;
  bool known_length_;
  int fail_after_;
  std::size_t offset_ = 0;
  int reads_ = 0;
};

TestReply echo_body(const TestRequest& req, int, int) {
  std::string framing = req.chunked() ? "chunked" : std::string(req["Content-Length"]);
  return {test::ok_reply(req.body(), "X-Framing: " + framing + "\r\n")};
}

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 7919 + i / 251) % 256);
  return s;
}

class UpstreamStreamedBodyTest : public ::testing::Test {
 protected:
  UpstreamStreamedBodyTest() : work_(net::make_work_guard(ioc_)), thread_([this] { ioc_.run(); }) {}
  ~UpstreamStreamedBodyTest() override {
    client_.reset();
    work_.reset();
    ioc_.stop();
    thread_.join();
  }

  core::Result<UpstreamResponse> post(const UpstreamTestServer& server, std::shared_ptr<http::BodySource> source) {
    std::promise<core::Result<UpstreamResponse>> done;
    auto future = done.get_future();
    UpstreamRequest request;
    request.method = "POST";
    request.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/upload";
    request.headers.add("Content-Type", "application/octet-stream");
    request.body = "ignored";
    request.body_source = std::move(source);
    net::co_spawn(
        ioc_,
        [this, request = std::move(request), &done]() mutable -> net::awaitable<void> {
          done.set_value(co_await client_->fetch(std::move(request)));
        },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
    return future.get();
  }

  net::io_context ioc_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::thread thread_;
  std::unique_ptr<UpstreamClient> client_ = std::make_unique<UpstreamClient>(ioc_.get_executor(), UpstreamOptions{});
};

TEST_F(UpstreamStreamedBodyTest, KnownLengthGoesOutWithContentLengthByteIdentical) {
  UpstreamTestServer server(echo_body);
  const std::string body = pattern(300 * 1024 + 17);
  auto source = std::make_shared<PieceSource>(body, 16 * 1024, true);
  auto res = post(server, source);
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->headers.get("X-Framing"), std::to_string(body.size()));
  EXPECT_TRUE(res->body == body) << "body differs; got " << res->body.size() << " bytes";
  EXPECT_GT(source->reads(), 10);  // read piece by piece, not in one go
}

TEST_F(UpstreamStreamedBodyTest, UnknownLengthGoesOutChunkedByteIdentical) {
  UpstreamTestServer server(echo_body);
  const std::string body = pattern(200 * 1024 + 3);
  auto res = post(server, std::make_shared<PieceSource>(body, 4093, false));
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->headers.get("X-Framing"), "chunked");
  EXPECT_TRUE(res->body == body) << "body differs; got " << res->body.size() << " bytes";
}

TEST_F(UpstreamStreamedBodyTest, SourceFailureAbortsTheExchangeWithItsError) {
  UpstreamTestServer server(echo_body);
  auto res = post(server, std::make_shared<PieceSource>(pattern(100 * 1024), 1024, false, 3));
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, core::Errc::invalid_request);
  EXPECT_EQ(res.error().message, "client went away");
  EXPECT_TRUE(server.requests().empty());  // the cut request never reached the handler
}

}  // namespace
}  // namespace keyrelay::gateway
