#include "http/server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "http/error_response.h"
#include "in_process_server.h"

// The server in-process, with handlers only a test has (slow, failing), talked to over real sockets.
namespace keyrelay::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

// Writes "first", waits until the test says go, writes "second"; or aborts after "first".
class GatedStream final : public BodyStream {
 public:
  GatedStream(std::atomic<bool>& go, bool abort) : go_(go), abort_(abort) {}
  net::awaitable<bool> pump(BodySink& sink) override {
    if (!co_await sink.write("first")) co_return false;
    if (abort_) co_return false;
    net::steady_timer t(co_await net::this_coro::executor);
    while (!go_.load()) {
      t.expires_after(5ms);
      co_await t.async_wait(net::use_awaitable);
    }
    co_return co_await sink.write("second");
  }

 private:
  std::atomic<bool>& go_;
  bool abort_;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const bool abort : {false, true}) {
      router_.add(Method::get, abort ? "/cut" : "/events", [this, abort](Request&, RequestContext&) -> net::awaitable<core::Result<Response>> {
        Response r;
        r.headers.set("Content-Type", "text/event-stream");
        r.stream = std::make_shared<GatedStream>(go_, abort);
        co_return r;
      });
    }
    router_.add(Method::get, "/fast", [](Request&, RequestContext&) -> net::awaitable<core::Result<Response>> {
      co_return Response::json(200, R"({"ok":true})");
    });
    router_.add(Method::get, "/slow", [this](Request&, RequestContext&) -> net::awaitable<core::Result<Response>> {
      slow_started_.set_value();
      net::steady_timer t(co_await net::this_coro::executor, slow_for_);
      co_await t.async_wait(net::use_awaitable);
      co_return Response::json(200, R"({"slow":true})");
    });
    router_.add(Method::get, "/throws", [](Request&, RequestContext&) -> net::awaitable<core::Result<Response>> {
      throw std::runtime_error("handler bug");
      co_return Response::empty(200);
    });
    router_.add(Method::post, "/echo",
                [](Request& req, RequestContext&) -> net::awaitable<core::Result<Response>> {
                  co_return Response::json(200, "{\"bytes\":" + std::to_string(req.body.size()) + "}");
                },
                {.max_body_bytes = 100});
  }

  void start(ServerOptions options = {}) { server_.start(std::move(options)); }
  void TearDown() override { server_.stop(); }
  tcp::socket connect() { return server_.connect(); }
  static void send(tcp::socket& s, std::string_view raw) { testing::InProcessServer::send(s, raw); }
  static auto read_response(tcp::socket& s, beast::flat_buffer& buf) { return testing::InProcessServer::read_response(s, buf); }
  static bool peer_closed(tcp::socket& s, beast::flat_buffer& buf) { return testing::InProcessServer::peer_closed(s, buf); }

  Router router_;
  testing::InProcessServer server_{router_};
  std::promise<void> slow_started_;
  std::chrono::milliseconds slow_for_{300};
  std::atomic<bool> go_{false};
};

TEST_F(ServerTest, StreamedBodyReachesTheClientWriteByWrite) {
  start();
  auto s = connect();
  send(s, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  beast::flat_buffer buf;
  bhttp::response_parser<bhttp::string_body> parser;
  bhttp::read_header(s, buf, parser);
  EXPECT_EQ(parser.get().result_int(), 200);
  EXPECT_TRUE(parser.chunked());
  EXPECT_EQ(parser.get()["Content-Type"], "text/event-stream");
  // "first" arrives while the handler still waits: it was flushed on its own.
  while (parser.get().body().size() < 5) bhttp::read_some(s, buf, parser);
  EXPECT_EQ(parser.get().body(), "first");
  go_ = true;
  bhttp::read(s, buf, parser);
  EXPECT_EQ(parser.get().body(), "firstsecond");
  // The connection stays usable after a complete streamed body.
  send(s, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(read_response(s, buf).result_int(), 200);
}

TEST_F(ServerTest, AbortedStreamEndsWithoutLastChunkAndCloses) {
  start();
  auto s = connect();
  send(s, "GET /cut HTTP/1.1\r\nHost: x\r\n\r\n");
  beast::flat_buffer buf;
  bhttp::response_parser<bhttp::string_body> parser;
  beast::error_code ec;
  bhttp::read(s, buf, parser, ec);
  EXPECT_EQ(parser.get().body(), "first");
  EXPECT_FALSE(parser.is_done());
  EXPECT_TRUE(ec == bhttp::error::partial_message || ec == net::error::eof || ec == net::error::connection_reset)
      << ec.message();
}

TEST_F(ServerTest, ServesPipelinedRequestsInOrder) {
  start();
  auto s = connect();
  send(s, "GET /fast HTTP/1.1\r\nHost: x\r\nX-Request-Id: one\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\nX-Request-Id: two\r\n\r\n");
  beast::flat_buffer buf;
  auto first = read_response(s, buf);
  auto second = read_response(s, buf);
  EXPECT_EQ(first.result_int(), 200);
  EXPECT_EQ(first["X-Request-Id"], "one");
  EXPECT_EQ(second.result_int(), 404);
  EXPECT_EQ(second["X-Request-Id"], "two");
}

TEST_F(ServerTest, HandlerExceptionBecomesA500WithoutDetails) {
  start();
  auto s = connect();
  send(s, "GET /throws HTTP/1.1\r\nHost: x\r\n\r\n");
  beast::flat_buffer buf;
  auto res = read_response(s, buf);
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_EQ(res.body().find("handler bug"), std::string::npos);
  // The connection is still usable.
  send(s, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(read_response(s, buf).result_int(), 200);
}

TEST_F(ServerTest, RouteBodyLimitAppliesToChunkedBodies) {
  start();
  auto s = connect();
  const std::string chunk(150, 'a');
  send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n96\r\n" + chunk + "\r\n0\r\n\r\n");
  beast::flat_buffer buf;
  auto res = read_response(s, buf);
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_FALSE(res.keep_alive());
}

// RFC 9112 6.3: a request whose transfer coding does not end in chunked has no length a server
// can know. Reading it as empty, as Beast does, lets the bytes that follow be taken for the next
// request (smuggling behind a proxy that reads it another way): answer 400 and close.
TEST_F(ServerTest, RefusesARequestWhoseTransferCodingDoesNotEndInChunked) {
  start();
  for (const std::string_view coding : {"gzip", "chunked, gzip", "identity"}) {
    auto s = connect();
    send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + std::string(coding) +
                "\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
    beast::flat_buffer buf;
    auto res = read_response(s, buf);
    EXPECT_EQ(res.result_int(), 400) << coding;
    EXPECT_FALSE(res.keep_alive()) << coding;
  }
}

TEST_F(ServerTest, BodyWithinTheRouteLimitReachesTheHandler) {
  start();
  auto s = connect();
  send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'b'));
  beast::flat_buffer buf;
  auto res = read_response(s, buf);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), R"({"bytes":100})");
}

// The same total for a body read whole before the handler runs.
TEST_F(ServerTest, DrippedBufferedBodyIsCutAtTheTotalBodyTimeout) {
  ServerOptions options;
  options.body_timeout = 1s;
  start(options);
  auto s = connect();
  const auto cut_after = testing::InProcessServer::drip_body(
      s, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n", 100, 200ms);
  ASSERT_TRUE(cut_after) << "the server took a 20 s dripped body although body_timeout is 1 s";
  EXPECT_GE(*cut_after, 900ms);
  EXPECT_LT(*cut_after, 3s);
}

TEST_F(ServerTest, AnswersExpectContinueBeforeReadingTheBody) {
  start();
  auto s = connect();
  send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  std::string interim(25, '\0');
  net::read(s, net::buffer(interim));
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  send(s, "hello");
  beast::flat_buffer buf;
  EXPECT_EQ(read_response(s, buf).body(), R"({"bytes":5})");
}

TEST_F(ServerTest, RefusesConnectionsOverTheLimitWith503) {
  ServerOptions options;
  options.max_connections = 2;
  start(options);
  auto a = connect();
  auto b = connect();
  beast::flat_buffer buf_a, buf_b, buf_c;
  send(a, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
  send(b, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(read_response(a, buf_a).result_int(), 200);
  ASSERT_EQ(read_response(b, buf_b).result_int(), 200);
  auto c = connect();
  auto res = read_response(c, buf_c);
  EXPECT_EQ(res.result_int(), 503);
  EXPECT_NE(res.body().find("\"unavailable\""), std::string::npos);
}

// Open connections from one address count against their own cap, so one client cannot take the
// whole server; the global cap above is for everyone together.
TEST_F(ServerTest, RefusesAClientsConnectionsOverItsOwnCap) {
  ServerOptions options;
  options.max_connections_per_client = 3;
  options.cap_loopback_clients = true;  // the test's connections come from loopback
  start(options);
  std::vector<tcp::socket> open;
  for (int i = 0; i < 3; ++i) {
    open.push_back(connect());
    beast::flat_buffer buf;
    send(open.back(), "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_EQ(read_response(open.back(), buf).result_int(), 200) << "connection " << i;
  }
  auto fourth = connect();
  beast::flat_buffer buf;
  auto refused = read_response(fourth, buf);
  EXPECT_EQ(refused.result_int(), 503);
  EXPECT_NE(refused.body().find("\"unavailable\""), std::string::npos);
  EXPECT_FALSE(refused.keep_alive());

  // Once one of the three closes (and the server noticed), the address may connect again.
  open.front().close();
  int status = 0;
  for (int attempt = 0; attempt < 100 && status != 200; ++attempt) {
    auto again = connect();
    beast::flat_buffer again_buf;
    send(again, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
    status = read_response(again, again_buf).result_int();
    if (status != 200) std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(status, 200);
}

// A load balancer carries every client's traffic from one address: it must never be starved.
TEST_F(ServerTest, TrustedProxyIsExemptFromThePerClientCap) {
  ServerOptions options;
  options.max_connections_per_client = 3;
  options.cap_loopback_clients = true;  // exempt as a trusted proxy, not as loopback
  auto proxies = TrustedProxies::parse("127.0.0.1");
  ASSERT_TRUE(proxies);
  options.trusted_proxies = *proxies;
  start(options);
  std::vector<tcp::socket> open;
  for (int i = 0; i < 6; ++i) {
    open.push_back(connect());
    beast::flat_buffer buf;
    send(open.back(), "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(read_response(open.back(), buf).result_int(), 200) << "connection " << i;
  }
}

// A reverse proxy or sidecar on the same host carries every client's connections from loopback:
// by default the host's own connections are not capped per address.
TEST_F(ServerTest, LoopbackPeersAreExemptFromThePerClientCapByDefault) {
  ServerOptions options;
  options.max_connections_per_client = 3;
  start(options);
  std::vector<tcp::socket> open;
  for (int i = 0; i < 6; ++i) {
    open.push_back(connect());
    beast::flat_buffer buf;
    send(open.back(), "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(read_response(open.back(), buf).result_int(), 200) << "connection " << i;
  }
}

TEST_F(ServerTest, ShutdownLetsAnInFlightRequestFinish) {
  start();
  auto s = connect();
  send(s, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(slow_started_.get_future().wait_for(5s), std::future_status::ready);
  server_.server().shutdown();
  EXPECT_TRUE(server_.server().is_draining());
  beast::flat_buffer buf;
  auto res = read_response(s, buf);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), R"({"slow":true})");
  EXPECT_FALSE(res.keep_alive()) << "a draining server closes after the response";
  EXPECT_EQ(server_.runner().wait_for(5s), std::future_status::ready);
}

TEST_F(ServerTest, ShutdownClosesIdleKeepAliveConnections) {
  start();
  auto s = connect();
  send(s, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
  beast::flat_buffer buf;
  ASSERT_EQ(read_response(s, buf).result_int(), 200);
  server_.server().shutdown();
  EXPECT_TRUE(peer_closed(s, buf));
  EXPECT_EQ(server_.runner().wait_for(5s), std::future_status::ready);
}

TEST_F(ServerTest, ShutdownDeadlineCutsRequestsThatDoNotFinish) {
  slow_for_ = 60s;
  ServerOptions options;
  options.shutdown_timeout = 200ms;
  start(options);
  auto s = connect();
  send(s, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(slow_started_.get_future().wait_for(5s), std::future_status::ready);
  server_.server().shutdown();
  EXPECT_EQ(server_.runner().wait_for(10s), std::future_status::ready) << "the deadline must end the drain";
  beast::flat_buffer buf;
  EXPECT_TRUE(peer_closed(s, buf));
}

TEST_F(ServerTest, ListenFailsClearlyWhenThePortIsTaken) {
  start();
  ServerOptions options;
  options.listen = "127.0.0.1:" + std::to_string(server_.port());
  Server second(options, router_);
  auto r = second.listen();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::Errc::unavailable);
  EXPECT_NE(r.error().message.find(std::to_string(server_.port())), std::string::npos);
}

}  // namespace
}  // namespace keyrelay::http
