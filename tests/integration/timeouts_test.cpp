// Read timeouts: a client that trickles its request head (slow-loris) or sits idle on a keep-alive
// connection must not hold a connection for ever. Each test sets the other timeout far higher, so
// the close can only come from the timeout under test.

#include <gtest/gtest.h>

#include <string>

#include "support/keyrelay_server.h"

namespace keyrelay::test {
namespace {

using namespace std::chrono_literals;

TEST(HttpTimeouts, SlowLorisIsDisconnectedByHeaderTimeoutWhileOthersAreServed) {
  KeyrelayServer server({.env = {{"KEYRELAY_HTTP_HEADER_TIMEOUT", "1s"},
                                 {"KEYRELAY_HTTP_IDLE_TIMEOUT", "60s"}}});
  auto slow = server.connect();
  ASSERT_TRUE(slow.send("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
  const auto started = SteadyClock::now();
  // Left alone the client would trickle one header byte every 200 ms for 30 s.
  const Deadline trickle_end = started + 30s;
  const std::string header = "X-Slow: " + std::string(1000, 'a');

  bool closed = false;
  bool other_served = false;
  for (std::size_t i = 0; !has_passed(trickle_end); ++i) {
    // Waiting for readability is also the 200 ms pacing of the trickle.
    if (slow.is_readable_within(200ms)) {
      closed = slow.wait_for_close(deadline_in(5s));
      break;
    }
    if (!slow.send(header.substr(i % header.size(), 1))) {
      closed = true;
      break;
    }
    if (!other_served) {
      auto response = server.get("/healthz");
      EXPECT_EQ(response.status, 200) << describe(response);
      other_served = true;
    }
  }
  const auto elapsed = SteadyClock::now() - started;

  EXPECT_TRUE(closed) << "the trickling connection was never closed\n" << server.logs();
  EXPECT_LT(elapsed, 10s) << "closed only after "
                          << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
                          << " ms";
  EXPECT_TRUE(other_served);
  // The server may say 408 before it closes; it must not answer anything else.
  if (!slow.pending().empty()) {
    auto response = slow.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 408) << describe(*response);
  }
}

TEST(HttpTimeouts, IdleKeepAliveConnectionIsClosedByIdleTimeout) {
  KeyrelayServer server({.env = {{"KEYRELAY_HTTP_IDLE_TIMEOUT", "1s"},
                                 {"KEYRELAY_HTTP_HEADER_TIMEOUT", "60s"}}});
  auto connection = server.connect();
  auto response = connection.request("GET", "/healthz");
  ASSERT_EQ(response.status, 200) << describe(response);
  ASSERT_FALSE(response.says_connection_close()) << describe(response);

  EXPECT_TRUE(connection.wait_for_close(deadline_in(15s)))
      << "an idle keep-alive connection stayed open\n" << server.logs();
  // Other clients are unaffected.
  EXPECT_EQ(server.get("/healthz").status, 200);
}

}  // namespace
}  // namespace keyrelay::test
