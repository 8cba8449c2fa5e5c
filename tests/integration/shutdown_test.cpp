// Graceful shutdown on SIGTERM and SIGINT: the listener closes at once, idle connections close,
// a request already in flight still gets its complete answer, and the process exits 0.

#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>

#include "support/keyrelay_server.h"
#include "support/tcp_queue.h"

namespace keyrelay::test {
namespace {

using namespace std::chrono_literals;

// True once a new connection is refused: the listener is closed.
bool wait_until_refused(std::uint16_t port, Deadline deadline) {
  return poll_until(deadline, [&] {
    auto attempt = HttpConnection::try_connect(port, 1s);
    return !attempt.connection && attempt.error == ECONNREFUSED;
  });
}

TEST(Shutdown, SigtermLetsAnInFlightRequestFinish) {
  KeyrelayServer server;
  auto connection = server.connect();
  ASSERT_TRUE(connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
  // Until the server has read these bytes it could count the connection as idle; the kernel's
  // receive queue tells us when it has, without guessing with a sleep.
  ASSERT_TRUE(wait_until_server_has_read(server.port(), connection.local_port(), deadline_in(10s)));

  ASSERT_TRUE(server.send_signal(SIGTERM));
  ASSERT_TRUE(wait_until_refused(server.port(), deadline_in(10s)))
      << "the listener stayed open after SIGTERM\n" << server.logs();

  ASSERT_TRUE(connection.send("\r\n")) << "the in-flight connection was closed\n" << server.logs();
  auto response = connection.read_response();
  ASSERT_TRUE(response) << "the in-flight request got no response\n" << server.logs();
  EXPECT_EQ(response->status, 200) << describe(*response);
  EXPECT_TRUE(response->says_connection_close()) << describe(*response);
  EXPECT_TRUE(connection.wait_for_close(deadline_in(10s)));

  auto status = server.wait_for_exit(deadline_in(15s));
  ASSERT_TRUE(status) << "still running after the drain\n" << server.logs();
  EXPECT_EQ(*status, 0) << server.logs();
}

TEST(Shutdown, SigtermClosesIdleKeepAliveConnectionAndExitsZero) {
  // A long shutdown deadline: an idle connection must close at once, not when the deadline ends.
  KeyrelayServer server({.env = {{"KEYRELAY_HTTP_SHUTDOWN_TIMEOUT", "60s"}}});
  auto connection = server.connect();
  auto response = connection.request("GET", "/healthz");
  ASSERT_EQ(response.status, 200) << describe(response);
  ASSERT_FALSE(response.says_connection_close());

  ASSERT_TRUE(server.send_signal(SIGTERM));
  EXPECT_TRUE(connection.wait_for_close(deadline_in(10s)))
      << "the idle connection stayed open after SIGTERM\n" << server.logs();
  auto status = server.wait_for_exit(deadline_in(15s));
  ASSERT_TRUE(status) << "still running 15 s after SIGTERM\n" << server.logs();
  EXPECT_EQ(*status, 0) << server.logs();
}

TEST(Shutdown, SigtermWithoutClientsExitsZero) {
  KeyrelayServer server;
  EXPECT_EQ(server.stop(), 0) << server.logs();
}

TEST(Shutdown, SigintExitsZero) {
  KeyrelayServer server;
  ASSERT_TRUE(server.send_signal(SIGINT));
  auto status = server.wait_for_exit(deadline_in(15s));
  ASSERT_TRUE(status) << "still running 15 s after SIGINT\n" << server.logs();
  EXPECT_EQ(*status, 0) << server.logs();
}

}  // namespace
}  // namespace keyrelay::test
