// Alert webhooks queued in Redis through the real binary (issue 13 item 6): the pump delivers and
// retries as in memory, and a delivery still pending when its node is killed -9 is delivered by
// the other node.

#include <gtest/gtest.h>

#include <signal.h>

#include <boost/json/parse.hpp>

#include "api_json.h"
#include "gateway_harness.h"
#include "support/deadline.h"
#include "support/redis_server.h"
#include "support/redis_wire.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

Environment hooks_env(const MockProviderProcess& receiver, const std::string& path, const RedisServer& redis,
                      const std::string& backoff, const std::string& lease = "30s") {
  return {{"KEYRELAY_ALERTS_WEBHOOK_URLS", "http://127.0.0.1:" + std::to_string(receiver.port()) + "/hooks/" + path},
          {"KEYRELAY_ALERTS_WEBHOOK_SECRET", "whsec_test_0123456789abcdef0123456789"},
          {"KEYRELAY_ALERTS_WEBHOOK_MAX_ATTEMPTS", "5"},
          {"KEYRELAY_ALERTS_WEBHOOK_BACKOFF", backoff},
          // A node killed while it holds a delivery's lease hands it over when the lease runs out.
          // Shorter than an attempt may take, the same node would claim it again meanwhile.
          {"KEYRELAY_ALERTS_WEBHOOK_LEASE", lease},
          {"KEYRELAY_REDIS_URL", redis.url()}};
}

std::size_t requests_to(const MockProviderProcess& mock, std::string_view path) {
  std::size_t n = 0;
  for (auto& r : mock.requests())
    if (text_of(r.at("path")) == path) ++n;
  return n;
}

std::vector<json::object> deliveries_on(const KeyrelayServer& node, const Identity& admin) {
  auto r = node.request("GET", "/api/v1/alerts/deliveries", {{"Authorization", "Bearer " + admin.token}});
  std::vector<json::object> out;
  if (r.status != 200) return out;
  const json::value page = json::parse(r.body);
  for (const auto& d : page.as_object().at("data").as_array()) out.push_back(d.as_object());
  return out;
}

// Another node on `gw`'s data dir and Redis, with the same settings.
KeyrelayServer second_node(Gateway& gw, const Environment& env) {
  KeyrelayServer::Options options;
  options.env = vault_server_env();
  for (const auto& [name, value] : env) options.env[name] = value;
  options.env["KEYRELAY_DATA_DIR"] = gw.vault.data_dir().string();
  return KeyrelayServer(options);
}

// A request that raises gateway.no_usable_key for alice (she has no anthropic key).
HttpResponse raise_an_alert(Gateway& gw) { return gw.chat(gw.alice, Gateway::chat_body("claude-3-5-haiku-latest")); }

TEST(RedisWebhooks, TheQueueDeliversAndRetriesWithBackoff) {
  MockProviderProcess receiver;
  RedisServer redis;
  Gateway gw(hooks_env(receiver, "flaky2", redis, "100ms"));
  ASSERT_EQ(raise_an_alert(gw).status, 424);
  std::vector<json::object> listed;
  ASSERT_TRUE(poll_until(deadline_in(15s), [&] {
    listed = deliveries_on(gw.vault.server(), gw.vault.admin());
    return !listed.empty() && str(listed[0], "state") == "delivered";
  })) << gw.vault.logs();
  EXPECT_EQ(listed[0].at("attempts").as_int64(), 3);
  EXPECT_EQ(requests_to(receiver, "/hooks/flaky2"), 3u);
  EXPECT_EQ(redis_exchange(redis.port(), {{"ZCARD", "keyrelay:webhooks:due"}}), std::vector<std::string>{":0"})
      << "nothing left due";
}

TEST(RedisWebhooks, ADeliveryPendingWhenItsNodeIsKilledIsDeliveredByTheOtherNode) {
  MockProviderProcess receiver;
  RedisServer redis;
  const Environment env = hooks_env(receiver, "flaky1", redis, "5s");
  Gateway gw(env);
  KeyrelayServer node_b = second_node(gw, env);

  ASSERT_EQ(raise_an_alert(gw).status, 424);
  // The first attempt ended (503: last_status is set; while it is in flight it is not) and the retry
  // is due in 5 s. Node A dies before it: nobody holds the delivery, node B takes it when due.
  ASSERT_TRUE(poll_until(deadline_in(10s), [&] {
    const auto d = deliveries_on(node_b, gw.vault.admin());
    return !d.empty() && d[0].at("attempts").as_int64() == 1 && str(d[0], "state") == "pending" &&
           d[0].at("last_status").is_int64() && d[0].at("last_status").as_int64() == 503;
  })) << gw.vault.logs();
  gw.vault.server().send_signal(SIGKILL);

  std::vector<json::object> listed;
  ASSERT_TRUE(poll_until(deadline_in(15s), [&] {
    listed = deliveries_on(node_b, gw.vault.admin());
    return !listed.empty() && str(listed[0], "state") == "delivered";
  })) << node_b.logs();
  EXPECT_EQ(listed[0].at("attempts").as_int64(), 2);
  EXPECT_EQ(requests_to(receiver, "/hooks/flaky1"), 2u);
}

TEST(RedisWebhooks, AnAttemptInFlightWhenItsNodeIsKilledIsTakenOverWhenItsLeaseRunsOut) {
  MockProviderProcess receiver;
  RedisServer redis;
  const Environment env = hooks_env(receiver, "stall1", redis, "100ms", "3s");
  Gateway gw(env);
  ASSERT_EQ(raise_an_alert(gw).status, 424);
  // The receiver holds the first attempt open, so node A holds the delivery's lease when it dies
  // (node B starts only then: it cannot have claimed it).
  ASSERT_TRUE(poll_until(deadline_in(10s), [&] { return requests_to(receiver, "/hooks/stall1") == 1; }));
  KeyrelayServer node_b = second_node(gw, env);
  gw.vault.server().send_signal(SIGKILL);

  std::vector<json::object> listed;
  ASSERT_TRUE(poll_until(deadline_in(12s), [&] {
    listed = deliveries_on(node_b, gw.vault.admin());
    return !listed.empty() && str(listed[0], "state") == "delivered";
  })) << node_b.logs();
  EXPECT_EQ(requests_to(receiver, "/hooks/stall1"), 2u) << "taken over once, by node B";
}

}  // namespace
}  // namespace keyrelay::test
