#include "gateway/upstream_client.h"

#include <atomic>
#include <future>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include "support/temp_dir.h"
#include "tls_test_certs.h"
#include "upstream_test_server.h"

namespace keyrelay::gateway {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using test::TestReply;
using test::TestRequest;
using test::UpstreamTestServer;

// Echoes what it received: method, target, and the body.
TestReply echo(const TestRequest& req, int, int) {
  std::string body = std::string(req.method_string()) + " " + std::string(req.target()) + "\n" + req.body();
  return {test::ok_reply(body, "X-Reply: yes\r\n")};
}

class UpstreamClientTest : public ::testing::Test {
 protected:
  UpstreamClientTest() : work_(net::make_work_guard(ioc_)), thread_([this] { ioc_.run(); }) {}
  ~UpstreamClientTest() override {
    client_.reset();
    work_.reset();
    ioc_.stop();
    thread_.join();
  }

  UpstreamClient& client(UpstreamOptions options = {}) {
    client_ = std::make_unique<UpstreamClient>(ioc_.get_executor(), std::move(options));
    return *client_;
  }

  // Runs one fetch from a coroutine on the client's io_context and waits for it.
  core::Result<UpstreamResponse> fetch(UpstreamRequest request) {
    std::promise<core::Result<UpstreamResponse>> done;
    auto future = done.get_future();
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

  core::Result<UpstreamResponse> get(const std::string& url) { return fetch({"GET", url, {}, {}}); }

  // Opens a stream and reads up to `pieces` pieces of its body (all when negative), then drops it.
  struct Streamed {
    int status = 0;
    std::vector<std::string> pieces;
    bool ended = false;
    std::string error;
  };
  Streamed stream(const std::string& url, int pieces = -1) {
    std::promise<Streamed> done;
    auto future = done.get_future();
    net::co_spawn(
        ioc_,
        [this, url, pieces, &done]() -> net::awaitable<void> {
          Streamed out;
          UpstreamRequest request{"GET", url, {}, {}};  // named: GCC 12 mis-destroys a braced temporary here
          auto s = co_await client_->open(std::move(request));
          if (!s) {
            out.error = s.error().message;
            done.set_value(out);
            co_return;
          }
          out.status = s->status();
          while (pieces < 0 || static_cast<int>(out.pieces.size()) < pieces) {
            auto piece = co_await s->read_some();
            if (!piece) {
              out.error = piece.error().message;
              break;
            }
            if (piece->empty()) {
              out.ended = s->done();
              break;
            }
            out.pieces.emplace_back(*piece);
          }
          done.set_value(out);
        },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
    return future.get();
  }

  static std::string url(const UpstreamTestServer& server, const std::string& path, const char* host = "127.0.0.1") {
    return "http://" + std::string(host) + ":" + std::to_string(server.port()) + path;
  }

  net::io_context ioc_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::thread thread_;
  std::unique_ptr<UpstreamClient> client_;
};

TEST_F(UpstreamClientTest, GetRoundTripCarriesHeadersAndTarget) {
  UpstreamTestServer server(echo);
  client();
  UpstreamRequest req{"GET", url(server, "/v1/models?limit=2&x=%20y"), {}, {}};
  req.headers.add("Accept", "application/json");
  req.headers.add("X-Api-Key", "k-123");
  auto res = fetch(std::move(req));
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "GET /v1/models?limit=2&x=%20y\n");
  EXPECT_EQ(res->headers.get("X-Reply"), "yes");
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["Host"], "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(seen[0]["Accept"], "application/json");
  EXPECT_EQ(seen[0]["X-Api-Key"], "k-123");
}

TEST_F(UpstreamClientTest, PostSendsBodyWithContentLength) {
  UpstreamTestServer server(echo);
  client();
  UpstreamRequest req{"POST", url(server, "/v1/chat"), {}, R"({"model":"m"})"};
  req.headers.add("Content-Type", "application/json");
  req.headers.add("Content-Length", "999");  // replaced by the real length
  auto res = fetch(std::move(req));
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->body, "POST /v1/chat\n{\"model\":\"m\"}");
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["Content-Length"], "13");
  EXPECT_EQ(seen[0]["Content-Type"], "application/json");
  EXPECT_GE(res->latency.count(), 0);
}

// An interim answer is skipped: the fields and status are the final answer's alone.
TEST_F(UpstreamClientTest, SkipsAnInterimAnswerAndKeepsOnlyTheFinalAnswersFields) {
  UpstreamTestServer server([](const TestRequest&, int, int) {
    return TestReply{"HTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\n"
                     "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Final: yes\r\n\r\nok"};
  });
  client();
  auto res = get(url(server, "/"));
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "ok");
  EXPECT_EQ(res->headers.get("X-Final"), "yes");
  EXPECT_FALSE(res->headers.get("Link").has_value());
}

// A HEAD answer announces a length but has no body; the connection serves the next request.
TEST_F(UpstreamClientTest, AHeadAnswerHasNoBodyAndKeepsTheConnection) {
  UpstreamTestServer server([](const TestRequest& r, int, int) {
    if (r.method_string() == "HEAD") return TestReply{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"};
    return echo(r, 0, 0);
  });
  client();
  auto head = fetch({"HEAD", url(server, "/h"), {}, {}});
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(head->headers.get("Content-Length"), "5");
  auto next = get(url(server, "/next"));
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(next->body, "GET /next\n");
  EXPECT_EQ(server.accepted(), 1);
}

TEST_F(UpstreamClientTest, ReadsChunkedResponse) {
  UpstreamTestServer server([](const TestRequest&, int, int) {
    return TestReply{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
                     "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n"};
  });
  client();
  auto res = get(url(server, "/"));
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->body, "hello, world");
  EXPECT_FALSE(res->headers.contains("Transfer-Encoding"));
  // The chunked connection stays usable.
  ASSERT_TRUE(get(url(server, "/")));
  EXPECT_EQ(server.accepted(), 1);
}

TEST_F(UpstreamClientTest, StreamReadsTheBodyPieceByPieceThenPoolsTheConnection) {
  UpstreamTestServer server([](const TestRequest&, int, int) {
    return TestReply{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/event-stream\r\n\r\n"
                     "9\r\ndata: a\n\n\r\n9\r\ndata: b\n\n\r\n0\r\n\r\n"};
  });
  client();
  auto first = stream(url(server, "/"));
  ASSERT_TRUE(first.error.empty()) << first.error;
  EXPECT_EQ(first.status, 200);
  EXPECT_TRUE(first.ended);
  std::string body;
  for (const auto& p : first.pieces) body += p;
  EXPECT_EQ(body, "data: a\n\ndata: b\n\n");
  ASSERT_TRUE(get(url(server, "/")));
  EXPECT_EQ(server.accepted(), 1);
}

TEST_F(UpstreamClientTest, AbandonedStreamClosesItsConnectionInsteadOfPoolingIt) {
  UpstreamTestServer server([](const TestRequest&, int, int) {
    return TestReply{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"};  // never ends
  });
  client();
  auto partial = stream(url(server, "/"), 1);
  ASSERT_TRUE(partial.error.empty()) << partial.error;
  ASSERT_EQ(partial.pieces.size(), 1u);
  EXPECT_EQ(partial.pieces[0], "abc");
  EXPECT_FALSE(partial.ended);
  auto again = stream(url(server, "/"), 1);
  ASSERT_TRUE(again.error.empty()) << again.error;
  EXPECT_EQ(server.accepted(), 2);
}

TEST_F(UpstreamClientTest, StreamWithoutBodyEndsAtOnceAndPoolsTheConnection) {
  UpstreamTestServer server([](const TestRequest&, int, int) { return TestReply{"HTTP/1.1 204 No Content\r\n\r\n"}; });
  client();
  auto none = stream(url(server, "/"));
  ASSERT_TRUE(none.error.empty()) << none.error;
  EXPECT_EQ(none.status, 204);
  EXPECT_TRUE(none.pieces.empty());
  EXPECT_TRUE(none.ended);
  ASSERT_TRUE(get(url(server, "/")));
  EXPECT_EQ(server.accepted(), 1);
}

TEST_F(UpstreamClientTest, StreamCutMidBodyIsAnError) {
  UpstreamTestServer server([](const TestRequest&, int, int) {
    TestReply r{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part"};
    r.close_after = true;
    return r;
  });
  client();
  auto cut = stream(url(server, "/"));
  EXPECT_FALSE(cut.error.empty());
  EXPECT_FALSE(cut.ended);
}

TEST_F(UpstreamClientTest, ReusesKeepAliveConnection) {
  UpstreamTestServer server(echo);
  client();
  for (int i = 0; i < 5; ++i) {
    auto res = get(url(server, "/n/" + std::to_string(i)));
    ASSERT_TRUE(res) << res.error().message;
    EXPECT_EQ(res->body, "GET /n/" + std::to_string(i) + "\n");
  }
  EXPECT_EQ(server.accepted(), 1);
}

TEST_F(UpstreamClientTest, ServerClosingIdleConnectionIsNoticed) {
  UpstreamTestServer server([](const TestRequest& r, int c, int i) {
    TestReply reply = echo(r, c, i);
    reply.close_after = true;  // closes without saying so
    return reply;
  });
  client();
  ASSERT_TRUE(get(url(server, "/a")));
  std::this_thread::sleep_for(50ms);  // let the FIN arrive
  auto res = get(url(server, "/b"));
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->body, "GET /b\n");
  EXPECT_EQ(server.accepted(), 2);
}

TEST_F(UpstreamClientTest, RetriesOnceWhenReusedConnectionFailsBeforeResponse) {
  // The second request on the first connection is dropped, as by a server that timed it out.
  UpstreamTestServer server([](const TestRequest& r, int c, int i) {
    if (c == 1 && i == 2) return TestReply{.drop = true};
    return echo(r, c, i);
  });
  client();
  ASSERT_TRUE(get(url(server, "/a")));
  auto res = get(url(server, "/b"));
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->body, "GET /b\n");
  EXPECT_EQ(server.accepted(), 2);
}

TEST_F(UpstreamClientTest, FreshConnectionFailureIsNotRetried) {
  UpstreamTestServer server([](const TestRequest&, int, int) { return TestReply{.drop = true}; });
  client();
  auto res = get(url(server, "/a"));
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, core::Errc::upstream_error);
  EXPECT_EQ(server.accepted(), 1);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(UpstreamClientTest, ConnectRefusedIsUpstreamErrorNamingOnlyTheHost) {
  std::uint16_t port = 0;
  {
    net::io_context probe;
    net::ip::tcp::acceptor a(probe, {net::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }  // closed: nothing listens there now
  client();
  auto res = get("http://127.0.0.1:" + std::to_string(port) + "/v1/x?key=SECRET123");
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, core::Errc::upstream_error);
  EXPECT_NE(res.error().message.find("upstream 127.0.0.1"), std::string::npos) << res.error().message;
  EXPECT_EQ(res.error().message.find("SECRET123"), std::string::npos) << res.error().message;
  EXPECT_EQ(res.error().message.find("/v1/x"), std::string::npos) << res.error().message;
}

TEST_F(UpstreamClientTest, SlowFirstByteTimesOut) {
  UpstreamTestServer server([](const TestRequest& r, int c, int i) {
    TestReply reply = echo(r, c, i);
    reply.delay = 2s;
    return reply;
  });
  UpstreamOptions options;
  options.first_byte_timeout = 200ms;
  client(options);
  const auto started = std::chrono::steady_clock::now();
  auto res = get(url(server, "/slow?key=SECRET123"));
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, core::Errc::upstream_timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms);
  EXPECT_EQ(res.error().message.find("SECRET123"), std::string::npos) << res.error().message;
}

TEST_F(UpstreamClientTest, StalledBodyTimesOut) {
  UpstreamTestServer server([](const TestRequest&, int, int) {
    return TestReply{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial"};  // then silence
  });
  UpstreamOptions options;
  options.idle_timeout = 200ms;
  client(options);
  auto res = get(url(server, "/"));
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, core::Errc::upstream_timeout);
}

TEST_F(UpstreamClientTest, ResponseOverLimitIsUpstreamError) {
  UpstreamTestServer server([](const TestRequest& r, int, int) {
    if (r.target() == "/chunked")
      return TestReply{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string("400\r\n") +
                       std::string(1024, 'x') + "\r\n0\r\n\r\n"};
    return TestReply{test::ok_reply(std::string(2000, 'x'))};
  });
  UpstreamOptions options;
  options.max_response_bytes = 1000;
  client(options);
  for (const char* path : {"/sized", "/chunked"}) {
    auto res = get(url(server, path));
    ASSERT_FALSE(res) << path;
    EXPECT_EQ(res.error().code, core::Errc::upstream_error) << path;
  }
}

TEST_F(UpstreamClientTest, MalformedResponseIsUpstreamError) {
  UpstreamTestServer server([](const TestRequest&, int, int) { return TestReply{"garbage\r\n\r\n", {}, true}; });
  client();
  auto res = get(url(server, "/"));
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, core::Errc::upstream_error);
}

TEST_F(UpstreamClientTest, RedirectIsReturnedNotFollowed) {
  UpstreamTestServer server([](const TestRequest& r, int c, int i) {
    if (r.target() == "/old")
      return TestReply{"HTTP/1.1 302 Found\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n"};
    return echo(r, c, i);
  });
  client();
  auto res = get(url(server, "/old"));
  ASSERT_TRUE(res) << res.error().message;
  EXPECT_EQ(res->status, 302);
  EXPECT_EQ(res->headers.get("Location"), "/new");
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(UpstreamClientTest, DropsHopByHopHeadersBothWays) {
  UpstreamTestServer server([](const TestRequest&, int, int) {
    return TestReply{test::ok_reply("ok", "Keep-Alive: timeout=5\r\nConnection: X-Hop\r\nX-Hop: 1\r\n"
                                          "Proxy-Authenticate: Basic\r\nUpgrade: h2c\r\nX-End: 2\r\n")};
  });
  client();
  UpstreamRequest req{"GET", url(server, "/"), {}, {}};
  for (const char* name : {"Connection", "Keep-Alive", "Proxy-Authorization", "Proxy-Connection", "TE", "Trailer",
                           "Transfer-Encoding", "Upgrade"})
    req.headers.add(name, "x");
  req.headers.add("Host", "evil.example");
  req.headers.add("X-End", "kept");
  auto res = fetch(std::move(req));
  ASSERT_TRUE(res) << res.error().message;
  for (const char* name : {"Keep-Alive", "Connection", "X-Hop", "Proxy-Authenticate", "Upgrade"})
    EXPECT_FALSE(res->headers.contains(name)) << name;
  EXPECT_EQ(res->headers.get("X-End"), "2");
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  for (const char* name : {"Connection", "Keep-Alive", "Proxy-Authorization", "Proxy-Connection", "TE", "Trailer",
                           "Transfer-Encoding", "Upgrade"})
    EXPECT_EQ(seen[0].count(name), 0u) << name;
  EXPECT_EQ(seen[0]["Host"], "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(seen[0]["X-End"], "kept");
}

TEST_F(UpstreamClientTest, RefusesBadUrlsAndHeaders) {
  client();
  for (const char* bad : {"ftp://example.com/x", "/relative", "http:///nohost", "not a url", "http://a:99999/"}) {
    auto res = get(bad);
    ASSERT_FALSE(res) << bad;
    EXPECT_EQ(res.error().code, core::Errc::invalid_request) << bad;
  }
  UpstreamRequest req{"GET", "http://127.0.0.1:1/?key=SECRET123", {}, {}};
  req.headers.add("X-Key", "SECRET123\r\nX-Injected: 1");
  auto res = fetch(std::move(req));
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, core::Errc::invalid_request);
  EXPECT_EQ(res.error().message.find("SECRET123"), std::string::npos) << res.error().message;
}

TEST_F(UpstreamClientTest, ClosesIdlePooledConnectionAfterIdleTimeout) {
  UpstreamTestServer server(echo);
  UpstreamOptions options;
  options.idle_timeout = 100ms;
  client(options);
  ASSERT_TRUE(get(url(server, "/")));
  for (int i = 0; i < 100 && server.closed() == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(server.closed(), 1);
  ASSERT_TRUE(get(url(server, "/")));
  EXPECT_EQ(server.accepted(), 2);
}

TEST_F(UpstreamClientTest, CapsConnectionsPerOrigin) {
  UpstreamTestServer server([](const TestRequest& r, int c, int i) {
    TestReply reply = echo(r, c, i);
    reply.delay = 300ms;
    return reply;
  });
  UpstreamOptions options;
  options.max_connections_per_origin = 1;
  options.connect_timeout = 2s;
  client(options);
  // Two at once: the second waits for the first's connection, then reuses it.
  auto a = std::async(std::launch::async, [&] { return get(url(server, "/a")); });
  auto b = std::async(std::launch::async, [&] { return get(url(server, "/b")); });
  EXPECT_TRUE(a.get());
  EXPECT_TRUE(b.get());
  EXPECT_EQ(server.accepted(), 1);
}

TEST_F(UpstreamClientTest, WaitingForAFreeConnectionGivesUp) {
  UpstreamTestServer server([](const TestRequest& r, int c, int i) {
    TestReply reply = echo(r, c, i);
    reply.delay = 1s;
    return reply;
  });
  UpstreamOptions options;
  options.max_connections_per_origin = 1;
  options.connect_timeout = 200ms;
  client(options);
  auto a = std::async(std::launch::async, [&] { return get(url(server, "/a")); });
  std::this_thread::sleep_for(50ms);
  auto b = get(url(server, "/b"));
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, core::Errc::upstream_error);
  EXPECT_TRUE(a.get());
}

// Requests beyond the cap wait their turn and get the next free connection in order of arrival.
TEST_F(UpstreamClientTest, RequestsWaitingForAConnectionAreServedInOrderOfArrival) {
  UpstreamTestServer server([](const TestRequest& r, int c, int i) {
    TestReply reply = echo(r, c, i);
    reply.delay = 60ms;
    return reply;
  });
  UpstreamOptions options;
  options.max_connections_per_origin = 2;
  options.connect_timeout = 5s;
  client(options);
  constexpr int kRequests = 10;
  std::atomic<int> succeeded{0};
  std::promise<void> all_done;
  std::atomic<int> remaining{kRequests};
  for (int i = 0; i < kRequests; ++i) {
    net::co_spawn(
        ioc_,
        [this, i, &succeeded, &remaining, &all_done, url = url(server, "/" + std::to_string(i))]() -> net::awaitable<void> {
          net::steady_timer arrival(co_await net::this_coro::executor, std::chrono::milliseconds(7 * i));
          co_await arrival.async_wait(net::use_awaitable);
          UpstreamRequest request{"GET", url, {}, {}};
          auto res = co_await client_->fetch(std::move(request));
          if (res && res->status == 200) ++succeeded;
          if (--remaining == 0) all_done.set_value();
        },
        net::detached);
  }
  ASSERT_EQ(all_done.get_future().wait_for(20s), std::future_status::ready);
  EXPECT_EQ(succeeded.load(), kRequests);
  EXPECT_EQ(server.accepted(), 2) << "two connections, reused in turn";
  std::vector<std::string> order;
  for (const auto& r : server.requests()) order.emplace_back(r.target());
  EXPECT_EQ(order, (std::vector<std::string>{"/0", "/1", "/2", "/3", "/4", "/5", "/6", "/7", "/8", "/9"}));
}

// A request on an I/O thread (its own io_context) keeps to that thread's connections: another
// thread's idle connection would move every exchange on it across threads and back. Only at the
// origin's cap is another thread's idle connection lent.
TEST_F(UpstreamClientTest, AnIoThreadOpensItsOwnConnectionRatherThanBorrowAnotherThreadsBelowTheCap) {
  for (const std::size_t cap : {std::size_t{8}, std::size_t{1}}) {
    UpstreamTestServer server(echo);
    UpstreamOptions options;
    options.max_connections_per_origin = cap;
    client(options);
    ASSERT_TRUE(get(url(server, "/here")));  // leaves an idle connection of ioc_'s thread

    net::io_context other;  // a second I/O thread
    std::promise<core::Result<UpstreamResponse>> done;
    net::co_spawn(
        other,
        [this, &done, u = url(server, "/there")]() -> net::awaitable<void> {
          UpstreamRequest request{"GET", u, {}, {}};
          done.set_value(co_await client_->fetch(std::move(request)));
        },
        net::detached);
    std::thread runner([&] { other.run(); });
    auto there = done.get_future().get();
    runner.join();
    ASSERT_TRUE(there) << there.error().message;
    EXPECT_EQ(server.accepted(), cap == 1 ? 1 : 2) << "cap " << cap;
    client_.reset();
  }
}

TEST_F(UpstreamClientTest, WaiterWhoseDeadlinePassesFailsAndTheConnectionGoesToTheNext) {
  UpstreamTestServer server([](const TestRequest& r, int c, int i) {
    TestReply reply = echo(r, c, i);
    if (r.target() == "/first") reply.delay = 400ms;
    return reply;
  });
  UpstreamOptions options;
  options.max_connections_per_origin = 1;
  options.connect_timeout = 300ms;
  client(options);
  auto first = std::async(std::launch::async, [&] { return get(url(server, "/first")); });
  std::this_thread::sleep_for(20ms);
  auto second = std::async(std::launch::async, [&] { return get(url(server, "/second")); });  // gives up at ~320 ms
  std::this_thread::sleep_for(180ms);
  auto third = std::async(std::launch::async, [&] { return get(url(server, "/third")); });  // behind it until ~500 ms
  auto second_result = second.get();
  ASSERT_FALSE(second_result);
  EXPECT_EQ(second_result.error().code, core::Errc::upstream_error);
  EXPECT_TRUE(first.get());
  auto third_result = third.get();
  ASSERT_TRUE(third_result) << third_result.error().message;
  EXPECT_EQ(server.accepted(), 1) << "the third reused the first's connection";
}

TEST(UpstreamClientConfig, UnreadableCaFileThrows) {
  net::io_context ioc;
  UpstreamOptions options;
  options.extra_ca_file = "/nonexistent/ca.pem";
  EXPECT_THROW(UpstreamClient(ioc.get_executor(), options), std::runtime_error);
}

class UpstreamTlsTest : public UpstreamClientTest {
 protected:
  test::TempDir dir_;
};

TEST_F(UpstreamTlsTest, VerifiesServerAgainstExtraCa) {
  const auto certs = test::make_test_certs(dir_.path(), "DNS:localhost,IP:127.0.0.1");
  UpstreamTestServer server(echo, UpstreamTestServer::Tls{certs.server_cert, certs.server_key});
  UpstreamOptions options;
  options.extra_ca_file = certs.ca_cert;
  client(options);
  const std::string port = std::to_string(server.port());
  for (const char* host : {"localhost", "127.0.0.1"}) {
    auto res = get("https://" + std::string(host) + ":" + port + "/v1/models?key=SECRET123");
    ASSERT_TRUE(res) << host << ": " << res.error().message;
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, "GET /v1/models?key=SECRET123\n");
  }
  // Both hosts are separate origins; each kept its connection.
  ASSERT_TRUE(get("https://localhost:" + port + "/"));
  EXPECT_EQ(server.accepted(), 2);
}

TEST_F(UpstreamTlsTest, RejectsUnknownCa) {
  const auto certs = test::make_test_certs(dir_.path(), "DNS:localhost,IP:127.0.0.1");
  UpstreamTestServer server(echo, UpstreamTestServer::Tls{certs.server_cert, certs.server_key});
  client();
  auto res = get("https://localhost:" + std::to_string(server.port()) + "/?key=SECRET123");
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().code, core::Errc::upstream_error);
  EXPECT_EQ(res.error().message.find("SECRET123"), std::string::npos) << res.error().message;
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(UpstreamTlsTest, RejectsHostNameMismatch) {
  const auto certs = test::make_test_certs(dir_.path(), "DNS:other.example");
  UpstreamTestServer server(echo, UpstreamTestServer::Tls{certs.server_cert, certs.server_key});
  UpstreamOptions options;
  options.extra_ca_file = certs.ca_cert;
  client(options);
  for (const char* host : {"localhost", "127.0.0.1"}) {
    auto res = get("https://" + std::string(host) + ":" + std::to_string(server.port()) + "/");
    ASSERT_FALSE(res) << host;
    EXPECT_EQ(res.error().code, core::Errc::upstream_error) << host;
  }
  EXPECT_TRUE(server.requests().empty());
}

}  // namespace
}  // namespace keyrelay::gateway
