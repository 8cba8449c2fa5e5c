// Two `keyrelay serve` nodes on one SQLite file and one Redis (issue 13 item 9 (c) and (f)): the
// mutation limit is one limit across both nodes, and killing Redis during traffic leaves requests
// served with this node's limits until Redis is back, when the limit is shared again.

#include <gtest/gtest.h>

#include <signal.h>

#include <future>

#include "api_json.h"
#include "support/deadline.h"
#include "support/keyrelay_command.h"
#include "support/temp_dir.h"
#include "support/redis_server.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

using namespace std::chrono_literals;

// The same data dir, environment and Redis as `vault`'s server: a second node.
KeyrelayServer second_node(VaultServer& vault, const Environment& env) {
  KeyrelayServer::Options options;
  options.env = vault_server_env();
  for (const auto& [name, value] : env) options.env[name] = value;
  options.env["KEYRELAY_DATA_DIR"] = vault.data_dir().string();
  return KeyrelayServer(options);
}

HttpResponse create_on(KeyrelayServer& node, const Identity& who, const std::string& name) {
  return node.request("POST", "/api/v1/keys",
                      {{"Authorization", "Bearer " + who.token}, {"Content-Type", "application/json"}},
                      body_of({{"provider", "openai"}, {"name", name}, {"secret", "sk-proj-" + name + "-abcdefghijklmnop"}}));
}

double metric(const KeyrelayServer& node, std::string_view name) {
  const auto page = node.get("/metrics").body;
  const auto at = page.find("\n" + std::string(name) + " ");
  if (at == std::string::npos) return -1;
  return std::stod(page.substr(at + name.size() + 2));
}

class TwoNodesOnRedis : public ::testing::Test {
 protected:
  RedisServer redis;
  Environment env{{"KEYRELAY_REDIS_URL", redis.url()}, {"KEYRELAY_RATE_LIMIT_MUTATIONS", "10/1m"}};
  VaultServer vault{VaultServer::Options{.env = env}};
  KeyrelayServer node_b = second_node(vault, env);
  Identity alice = vault.add_user("alice");
};

TEST_F(TwoNodesOnRedis, TheMutationLimitIsSharedTenAMinuteAcrossBothNodesIsTen) {
  KeyrelayServer& node_a = vault.server();
  int created = 0;
  for (int i = 0; i < 20; ++i) {
    auto r = create_on(i % 2 == 0 ? node_a : node_b, alice, "key" + std::to_string(i));
    if (r.status == 201) {
      ++created;
      EXPECT_EQ(r.header("RateLimit-Remaining"), std::to_string(10 - created)) << "the shared count, on either node";
    } else {
      EXPECT_TRUE(is_api_error(r, 429, "rate_limited")) << describe(r);
      EXPECT_TRUE(r.header("Retry-After").has_value());
    }
  }
  EXPECT_EQ(created, 10) << "10 a minute across both nodes is 10, not 20";
  EXPECT_EQ(list_all(vault, alice, "/api/v1/keys").size(), 10u);
  EXPECT_EQ(metric(node_a, "keyrelay_redis_up"), 1);
  EXPECT_EQ(metric(node_b, "keyrelay_redis_fallback_total"), 0);
}

TEST_F(TwoNodesOnRedis, RedisKilledDuringTrafficRequestsAreStillServedWithLocalLimitsAndSharedAgainWhenBack) {
  KeyrelayServer& node_a = vault.server();
  ASSERT_EQ(create_on(node_a, alice, "before").status, 201);
  ASSERT_EQ(create_on(node_b, alice, "before-b").header("RateLimit-Remaining"), "8");

  redis.kill();
  // Served all the same, each node counting alone: node A's own bucket of 10 is fresh.
  for (int i = 0; i < 10; ++i) {
    auto r = create_on(node_a, alice, "during" + std::to_string(i));
    ASSERT_EQ(r.status, 201) << describe(r) << vault.logs();
    EXPECT_EQ(r.header("RateLimit-Remaining"), std::to_string(9 - i));
  }
  EXPECT_TRUE(is_api_error(create_on(node_a, alice, "during-refused"), 429, "rate_limited"));
  EXPECT_EQ(node_a.get("/readyz").status, 200) << "Redis is not needed to serve";
  auto reads = vault.call(alice, "GET", "/api/v1/keys");
  EXPECT_EQ(reads.status, 200);
  EXPECT_EQ(metric(node_a, "keyrelay_redis_up"), 0);
  EXPECT_GE(metric(node_a, "keyrelay_redis_fallback_total"), 11);
  // One warning for the outage, not one per request.
  const std::string logs = node_a.logs();
  std::size_t warnings = 0;
  for (auto at = logs.find("redis unreachable"); at != std::string::npos; at = logs.find("redis unreachable", at + 1))
    ++warnings;
  EXPECT_EQ(warnings, 1u) << logs;

  redis.start();  // empty: nothing was persisted
  poll_until(deadline_in(10s), [&] { return metric(node_a, "keyrelay_redis_up") == 1; }, 100ms);
  poll_until(deadline_in(10s), [&] { return metric(node_b, "keyrelay_redis_up") == 1; }, 100ms);
  ASSERT_EQ(metric(node_a, "keyrelay_redis_up"), 1) << node_a.logs();
  // Shared again: what node A spends, node B counts (B's own memory never spent anything).
  auto on_a = create_on(node_a, alice, "after-a");
  ASSERT_EQ(on_a.status, 201) << describe(on_a);
  EXPECT_EQ(on_a.header("RateLimit-Remaining"), "9");
  auto on_b = create_on(node_b, alice, "after-b");
  ASSERT_EQ(on_b.status, 201) << describe(on_b);
  EXPECT_EQ(on_b.header("RateLimit-Remaining"), "8");
  EXPECT_NE(node_a.logs().find("redis reachable again"), std::string::npos);
}

// rediss:// end to end: both nodes reach Redis over TLS, verify it with the test CA and present a
// client certificate (Redis's default asks for one); the limit is shared as over plain Redis.
TEST(RedisOverTls, TwoNodesShareTheMutationLimitThroughATlsRedis) {
  RedisServer redis(RedisServer::Options{.password = "redis-tls-password", .tls = true});
  const auto& certs = redis.certificates();
  const Environment env{{"KEYRELAY_REDIS_URL", redis.url()},
                        {"KEYRELAY_REDIS_CA_FILE", certs.ca.string()},
                        {"KEYRELAY_REDIS_CERT_FILE", certs.client_cert.string()},
                        {"KEYRELAY_REDIS_KEY_FILE", certs.client_key.string()},
                        {"KEYRELAY_REDIS_TIMEOUT", "2s"},
                        {"KEYRELAY_RATE_LIMIT_MUTATIONS", "3/1m"}};
  VaultServer vault{VaultServer::Options{.env = env}};
  KeyrelayServer node_b = second_node(vault, env);
  Identity alice = vault.add_user("alice");
  int created = 0;
  for (int i = 0; i < 6; ++i) {
    auto r = create_on(i % 2 == 0 ? vault.server() : node_b, alice, "tls" + std::to_string(i));
    if (r.status == 201) ++created;
  }
  EXPECT_EQ(created, 3) << "one limit across both nodes\n" << vault.logs() << node_b.logs();
  EXPECT_EQ(metric(vault.server(), "keyrelay_redis_up"), 1);
  EXPECT_EQ(metric(node_b, "keyrelay_redis_up"), 1);
  EXPECT_EQ(metric(node_b, "keyrelay_redis_fallback_total"), 0) << "no check fell back to local limits";
  EXPECT_EQ(node_b.logs().find("redis-tls-password"), std::string::npos);
}

// A Redis that stops answering costs the requests that need it up to KEYRELAY_REDIS_TIMEOUT, and
// nothing else: its checks wait on the worker pool, not on an I/O thread, so with a single I/O
// thread a request that needs no Redis (a health check) is answered meanwhile.
TEST(RedisStall, AStalledRedisDoesNotStallTheIoThread) {
  RedisServer redis;
  const Environment env{{"KEYRELAY_REDIS_URL", redis.url()},
                        {"KEYRELAY_REDIS_TIMEOUT", "3s"},
                        {"KEYRELAY_RATE_LIMIT_MUTATIONS", "10/1m"},
                        {"KEYRELAY_HTTP_THREADS", "1"}};
  VaultServer vault{VaultServer::Options{.env = env}};
  Identity alice = vault.add_user("alice");
  ASSERT_EQ(create_on(vault.server(), alice, "before").status, 201);

  ASSERT_EQ(::kill(redis.pid(), SIGSTOP), 0);  // connected, but answers nothing
  auto stalled = std::async(std::launch::async, [&] { return create_on(vault.server(), alice, "during"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the create is waiting on Redis now
  const auto asked = std::chrono::steady_clock::now();
  const auto health = vault.server().get("/healthz");
  const auto took = std::chrono::steady_clock::now() - asked;
  ::kill(redis.pid(), SIGCONT);
  EXPECT_EQ(health.status, 200);
  EXPECT_LT(took, std::chrono::milliseconds(1500)) << "the health check waited on the stalled Redis";
  const auto created = stalled.get();
  EXPECT_EQ(created.status, 201) << "the create is served with this node's limits";
}

TEST(RedisLockout, FailedAuthenticationsOnBothNodesLockTheAddressOutOnBoth) {
  RedisServer redis;
  const Environment env{{"KEYRELAY_REDIS_URL", redis.url()},
                        {"KEYRELAY_RATE_LIMIT_AUTH_FAILURES", "4/1m"},
                        {"KEYRELAY_RATE_LIMIT_AUTH_BLOCK", "15m"}};
  VaultServer vault{VaultServer::Options{.env = env}};
  KeyrelayServer node_b = second_node(vault, env);
  const HeaderList bad = {{"Authorization", "Bearer kr_not-a-real-token"}};
  // Four failures allowed across both nodes (two on each), the fifth — on either — locks out.
  for (int i = 0; i < 4; ++i) {
    auto r = (i % 2 == 0 ? vault.server() : node_b).request("GET", "/api/v1/keys", bad);
    EXPECT_EQ(r.status, 401) << describe(r);
  }
  EXPECT_EQ(vault.server().request("GET", "/api/v1/keys", bad).status, 401) << "the 5th failure sets the block";
  auto refused = node_b.request("GET", "/api/v1/keys", bad);
  EXPECT_TRUE(is_api_error(refused, 429, "rate_limited")) << describe(refused);
  EXPECT_GT(std::stoi(refused.header("Retry-After").value_or("0")), 800) << "the rest of the 15 min block";
  // A valid token is still served from the locked-out address, on either node.
  EXPECT_EQ(node_b.request("GET", "/api/v1/keys", {{"Authorization", "Bearer " + vault.admin().token}}).status, 200);
}

TEST(RedisSetting, AMalformedUrlStopsTheStartWithoutShowingThePassword) {
  TempDir dir;
  const Environment env = {{"KEYRELAY_LISTEN", "127.0.0.1:0"},
                           {"KEYRELAY_DATA_DIR", (dir.path() / "data").string()},
                           {"KEYRELAY_REDIS_URL", "redis://:hunter2-secret@cache:notaport/0"}};
  auto refused = run_keyrelay({"serve"}, env);
  EXPECT_NE(refused.exit_status, 0);
  EXPECT_NE(refused.output().find("KEYRELAY_REDIS_URL"), std::string::npos) << refused.output();
  EXPECT_EQ(refused.output().find("hunter2-secret"), std::string::npos) << refused.output();
}

}  // namespace
}  // namespace keyrelay::test
