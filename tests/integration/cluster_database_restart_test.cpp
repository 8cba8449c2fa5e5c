// PostgreSQL restarted under traffic (issue 13 item 9 e): while the database is down, a node
// answers what needs it with 503 and Retry-After (nothing half-done, nothing hanging); once the
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
  auto ready = node.server().get("/readyz");
  EXPECT_EQ(ready.status, 503) << "not ready without its database: " << describe(ready);
  // The gateway needs no database for a cached token and key: it keeps serving (usage waits in the
  // recorder's queue).
  auto served = node.call(alice, "POST", "/v1/chat/completions", chat);
  EXPECT_EQ(served.status, 200) << describe(served);

  cluster.postgres().start();
  int status = 0;
  EXPECT_TRUE(poll_until(deadline_in(15s), [&] {
    return (status = node.call(alice, "POST", "/api/v1/keys", create_body).status) == 201;
  }, 100ms)) << "still " << status << " after PostgreSQL came back\n" << cluster.logs();
  EXPECT_EQ(node.call(alice, "POST", "/v1/chat/completions", chat).status, 200);
  EXPECT_EQ(node.server().get("/readyz").status, 200);
}

}  // namespace
}  // namespace keyrelay::test
