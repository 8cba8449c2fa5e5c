// Size limits on the request head (431) and body (413), default and configured. The server must
// refuse an oversize body from its Content-Length alone, before the client sends it — and a client
// that writes everything before reading must still see that answer (lingering close, RFC 9112 §9.6).

#include <gtest/gtest.h>

#include "api_json.h"
#include "raw_requests.h"
#include "support/keyrelay_server.h"

namespace keyrelay::test {
namespace {

constexpr std::chrono::milliseconds kCloseDeadline{10000};

TEST(HttpLimits, DeclaredBodyOverDefaultLimitGets413BeforeItIsSent) {
  KeyrelayServer server;
  auto connection = server.connect();
  // 2,000,000 > the default 1 MiB; the body itself never comes.
  ASSERT_TRUE(connection.send(
      "POST /anything HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n"));
  auto response = connection.read_response();
  ASSERT_TRUE(response) << "closed without a response\n" << server.logs();
  EXPECT_TRUE(is_api_error(*response, 413, "payload_too_large"));
  EXPECT_TRUE(response->says_connection_close()) << describe(*response);
  EXPECT_TRUE(connection.wait_for_close(deadline_in(kCloseDeadline)));
}

TEST(HttpLimits, BodyOneByteOverConfiguredLimitGets413) {
  KeyrelayServer server({.env = {{"KEYRELAY_HTTP_MAX_BODY_BYTES", "1000"}}});
  auto connection = server.connect();
  auto response = post_body_of_size(connection, 1001);
  ASSERT_TRUE(response) << "closed without a response\n" << server.logs();
  EXPECT_TRUE(is_api_error(*response, 413, "payload_too_large"));
  EXPECT_TRUE(connection.wait_for_close(deadline_in(kCloseDeadline)));
}

TEST(HttpLimits, BodyExactlyAtConfiguredLimitIsAccepted) {
  KeyrelayServer server({.env = {{"KEYRELAY_HTTP_MAX_BODY_BYTES", "1000"}}});
  auto connection = server.connect();
  auto response = post_body_of_size(connection, 1000);
  ASSERT_TRUE(response) << "closed without a response\n" << server.logs();
  // No POST route exists yet, so "accepted" means routed: 404 or 405, not 413.
  EXPECT_TRUE(response->status == 404 || response->status == 405) << describe(*response);
  // The body was consumed exactly, so the connection stays usable.
  auto next = connection.request("GET", "/healthz");
  EXPECT_EQ(next.status, 200) << describe(next);
}

TEST(HttpLimits, HeaderOverDefaultLimitGets431) {
  KeyrelayServer server;
  auto connection = server.connect();
  auto response = get_with_header_of_size(connection, 20 * 1024);  // default limit 16 KiB
  ASSERT_TRUE(response) << "closed without a response\n" << server.logs();
  EXPECT_TRUE(is_api_error(*response, 431, "headers_too_large"));
  EXPECT_TRUE(response->says_connection_close()) << describe(*response);
  EXPECT_TRUE(connection.wait_for_close(deadline_in(kCloseDeadline)));
}

// A client that writes its whole request in one go before it reads (many simple clients do, and
// give up on a failed write) must read the refusal: the server answers, then keeps reading (and
// dropping) what the client still sends before it closes, so the kernel does not reset the
// connection over unread bytes — a reset fails the client's write, and on many systems discards
// the answer it has not read yet.
TEST(HttpLimits, FiveMegabytePostWrittenInOneGoStillReadsThe413) {
  KeyrelayServer server;
  auto connection = server.connect();
  const std::string request =
      format_request("POST", "/api/v1/keys", {{"Content-Type", "application/json"}}, std::string(5 << 20, 'x'));
  // Such a client treats a failed write as the end: the server must not reset it mid-request.
  EXPECT_TRUE(connection.send(request)) << "reset while the client was still sending";
  auto response = connection.read_response();
  ASSERT_TRUE(response) << "closed without a response (reset: " << connection.was_reset() << ")\n" << server.logs();
  EXPECT_TRUE(is_api_error(*response, 413, "payload_too_large")) << describe(*response);
  EXPECT_TRUE(response->says_connection_close()) << describe(*response);
  EXPECT_TRUE(connection.wait_for_close(deadline_in(kCloseDeadline)));
}

TEST(HttpLimits, HugeHeadFollowedByABodyStillReadsThe431) {
  KeyrelayServer server;
  auto connection = server.connect();
  const std::string request = format_request("POST", "/api/v1/keys", {{"X-Padding", std::string(64 * 1024, 'p')}},
                                             std::string(5 << 20, 'x'));
  EXPECT_TRUE(connection.send(request)) << "reset while the client was still sending";
  auto response = connection.read_response();
  ASSERT_TRUE(response) << "closed without a response (reset: " << connection.was_reset() << ")\n" << server.logs();
  EXPECT_TRUE(is_api_error(*response, 431, "headers_too_large")) << describe(*response);
  EXPECT_TRUE(connection.wait_for_close(deadline_in(kCloseDeadline)));
}

TEST(HttpLimits, HeaderOverConfiguredLimitGets431) {
  KeyrelayServer server({.env = {{"KEYRELAY_HTTP_MAX_HEADER_BYTES", "4096"}}});
  auto connection = server.connect();
  auto response = get_with_header_of_size(connection, 5 * 1024);
  ASSERT_TRUE(response) << "closed without a response\n" << server.logs();
  EXPECT_TRUE(is_api_error(*response, 431, "headers_too_large"));
}

TEST(HttpLimits, HeaderUnderConfiguredLimitIsServed) {
  KeyrelayServer server({.env = {{"KEYRELAY_HTTP_MAX_HEADER_BYTES", "4096"}}});
  auto connection = server.connect();
  auto response = get_with_header_of_size(connection, 3 * 1024);
  ASSERT_TRUE(response) << "closed without a response\n" << server.logs();
  EXPECT_EQ(response->status, 200) << describe(*response);
}

}  // namespace
}  // namespace keyrelay::test
