// PostgreSQL restarted under traffic (issue 13 item 9 e): while the database is down, a node
// answers with 503 and Retry-After (nothing half-done, nothing hanging); once the
// database is back, the same node serves again without being restarted — the pool drops its dead
// connections and the change listener reconnects.

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <chrono>

#include "cluster_harness.h"
#include "gateway_harness.h"
#include "support/deadline.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

TEST(ClusterDatabaseRestart, ANodeAnswers503WithRetryAfterWhilePostgresIsDownAndRecoversOnItsOwn) {
  Cluster cluster{Cluster::Options{.nodes = 1, .engine = Cluster::Engine::postgres, .redis = false, .env = {}}};
  auto& node = cluster.node(0);
  auto alice = node.add_user("alice");
  create_key(node, alice, "openai", "main", cluster_secret("openai", "valid"));
  const std::string chat = json::serialize(Gateway::chat_body("gpt-4o-mini"));
  ASSERT_EQ(node.call(alice, "POST", "/v1/chat/completions", chat).status, 200) << "the token and key are cached";
  const std::string create_body = body_of({{"provider", "anthropic"}, {"name", "while-down"},
                                           {"secret", cluster_secret("anthropic", "valid")}});

  cluster.postgres().stop();
  // A management write cannot be done without the database: 503 + Retry-After, never a hang or a 500.
  auto refused = node.call(alice, "POST", "/api/v1/keys", create_body);
  EXPECT_EQ(refused.status, 503) << describe(refused) << cluster.logs();
  EXPECT_TRUE(refused.has_header("Retry-After")) << describe(refused);
  EXPECT_EQ(refused.body.find(std::to_string(cluster.postgres().port())), std::string::npos)
      << "the answer does not say where the database is: " << describe(refused);
  // Readiness follows the store poll (every 250 ms), so a balancer routes around the node.
  int ready = 0;
  EXPECT_TRUE(poll_until(deadline_in(3s), [&] { return (ready = node.server().get("/readyz").status) == 503; }, 50ms))
      << "still " << ready << " without its database";
  // The listener lost its connection, so the caches were dropped (a revoke may have been missed):
  // the gateway answers 503 + Retry-After too, in the OpenAI shape, rather than serve stale grants.
  auto gateway = node.call(alice, "POST", "/v1/chat/completions", chat);
  EXPECT_EQ(gateway.status, 503) << describe(gateway);
  EXPECT_TRUE(gateway.has_header("Retry-After")) << describe(gateway);

  cluster.postgres().start();
  int status = 0;
  EXPECT_TRUE(poll_until(deadline_in(15s), [&] {
    return (status = node.call(alice, "POST", "/api/v1/keys", create_body).status) == 201;
  }, 100ms)) << "still " << status << " after PostgreSQL came back\n" << cluster.logs();
  EXPECT_EQ(node.call(alice, "POST", "/v1/chat/completions", chat).status, 200);
  EXPECT_TRUE(poll_until(deadline_in(3s), [&] { return node.server().get("/readyz").status == 200; }, 50ms))
      << "ready again once the store answers";
}

}  // namespace
}  // namespace keyrelay::test
