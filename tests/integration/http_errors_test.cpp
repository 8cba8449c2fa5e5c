// Errors the HTTP layer produces itself: unknown routes, wrong methods, and requests that are not
// HTTP at all. A malformed request costs its own connection and nothing else.

#include <gtest/gtest.h>

#include "api_json.h"
#include "support/keyrelay_server.h"

namespace keyrelay::test {
namespace {

constexpr std::chrono::milliseconds kCloseDeadline{10000};

TEST(HttpErrors, UnknownRouteGets404NotFound) {
  KeyrelayServer server;
  auto response = server.get("/nope");
  EXPECT_TRUE(is_api_error(response, 404, "not_found"));
}

TEST(HttpErrors, WrongMethodGets405WithAllowListingGet) {
  KeyrelayServer server;
  auto response = server.request("POST", "/healthz");
  EXPECT_TRUE(is_api_error(response, 405, "method_not_allowed"));
  auto allow = response.header("Allow");
  ASSERT_TRUE(allow) << describe(response);
  EXPECT_NE(allow->find("GET"), std::string::npos) << describe(response);
}

TEST(HttpErrors, GarbageRequestGets400ThenTheConnectionCloses) {
  KeyrelayServer server;
  auto connection = server.connect();
  ASSERT_TRUE(connection.send("GARBAGE\r\n\r\n"));
  auto response = connection.read_response();
  ASSERT_TRUE(response) << "closed without a response\n" << server.logs();
  EXPECT_TRUE(is_api_error(*response, 400, "invalid_request"));
  EXPECT_TRUE(response->says_connection_close()) << describe(*response);
  EXPECT_TRUE(connection.wait_for_close(deadline_in(kCloseDeadline)));
}

TEST(HttpErrors, BadHeaderLineGets400ThenTheConnectionCloses) {
  KeyrelayServer server;
  auto connection = server.connect();
  ASSERT_TRUE(connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\nthis is not a header\r\n\r\n"));
  auto response = connection.read_response();
  ASSERT_TRUE(response) << "closed without a response\n" << server.logs();
  EXPECT_TRUE(is_api_error(*response, 400, "invalid_request"));
  EXPECT_TRUE(response->says_connection_close()) << describe(*response);
  EXPECT_TRUE(connection.wait_for_close(deadline_in(kCloseDeadline)));
}

TEST(HttpErrors, MalformedRequestLeavesOtherConnectionsServed) {
  KeyrelayServer server;
  // A keep-alive connection that has already been served once.
  auto bystander = server.connect();
  ASSERT_EQ(bystander.request("GET", "/healthz").status, 200);

  auto offender = server.connect();
  ASSERT_TRUE(offender.send("GARBAGE\r\n\r\n"));
  auto error = offender.read_response();
  ASSERT_TRUE(error) << "closed without a response";
  EXPECT_EQ(error->status, 400) << describe(*error);
  EXPECT_TRUE(offender.wait_for_close(deadline_in(kCloseDeadline)));

  auto again = bystander.request("GET", "/healthz");
  EXPECT_EQ(again.status, 200) << describe(again);
  auto fresh = server.get("/healthz");
  EXPECT_EQ(fresh.status, 200) << describe(fresh);
}

}  // namespace
}  // namespace keyrelay::test
