// Liveness and readiness: the two routes every deployment probes.

#include <gtest/gtest.h>

#include "api_json.h"
#include "support/keyrelay_server.h"

namespace keyrelay::test {
namespace {

TEST(Health, HealthzAnswersOkJson) {
  KeyrelayServer server;
  auto response = server.get("/healthz");
  ASSERT_EQ(response.status, 200) << describe(response);
  EXPECT_TRUE(has_json_content_type(response));
  auto body = parse_json_object(response.body);
  ASSERT_TRUE(body) << describe(response);
  EXPECT_EQ(body->at("status"), "ok") << describe(response);
}

TEST(Health, ReadyzAnswersReadyJson) {
  KeyrelayServer server;
  auto response = server.get("/readyz");
  ASSERT_EQ(response.status, 200) << describe(response);
  EXPECT_TRUE(has_json_content_type(response));
  auto body = parse_json_object(response.body);
  ASSERT_TRUE(body) << describe(response);
  EXPECT_EQ(body->at("status"), "ready") << describe(response);
}

TEST(Health, ResponsesCarryContentLength) {
  // The test client and every HTTP/1.1 keep-alive client rely on this framing.
  KeyrelayServer server;
  auto response = server.get("/healthz");
  auto length = response.header("Content-Length");
  ASSERT_TRUE(length) << describe(response);
  EXPECT_EQ(*length, std::to_string(response.body.size()));
}

}  // namespace
}  // namespace keyrelay::test
