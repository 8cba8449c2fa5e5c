// Spend caps under a Redis deployment (issue 15 item 3): the counters live in Redis, so two nodes on
// one database and one Redis hold one cap between them — concurrent calls on both cannot overshoot
// it by more than the reservations in flight, and a node sees the other's spend at once — and
// with Redis stopped a capped call is refused (503, fail closed), never let through.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api_json.h"
#include "gateway_harness.h"
#include "support/deadline.h"
#include "support/http_client.h"
#include "support/redis_server.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::string_view kModel = "claude-3-5-haiku-latest";

// Claude Haiku 3.5 in the catalog: $0.80 in, $4 out per 1M tokens; rounded once per call.
std::int64_t haiku_cost(std::int64_t input, std::int64_t output) {
  return (input * 800'000 + output * 4'000'000 + 500'000) / 1'000'000;
}

json::object haiku_chat(std::string_view text, std::int64_t max_tokens) {
  auto body = Gateway::chat_body(kModel, text);
  body["max_tokens"] = max_tokens;
  return body;
}

std::string chat_request(const Identity& who, const json::object& body) {
  const std::string text = json::serialize(body);
  return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + who.token +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(text.size()) + "\r\n\r\n" + text;
}

HttpResponse chat_on(KeyrelayServer& node, const Identity& who, const json::object& body) {
  return node.request("POST", "/v1/chat/completions",
                      {{"Authorization", "Bearer " + who.token}, {"Content-Type", "application/json"}},
                      json::serialize(body));
}

class CapsOnRedis : public ::testing::Test {
 protected:
  RedisServer redis;
  Gateway gw{Environment{{"KEYRELAY_REDIS_URL", redis.url()}}};

  // Another node on the same data dir, mock provider and Redis.
  KeyrelayServer second_node() {
    KeyrelayServer::Options options;
    options.env = vault_server_env();
    for (const auto& [name, value] : gw.mock.provider_env()) options.env[name] = value;
    options.env["KEYRELAY_REDIS_URL"] = redis.url();
    options.env["KEYRELAY_DATA_DIR"] = gw.vault.data_dir().string();
    return KeyrelayServer(options);
  }
  void set_user_cap(double usd) {
    auto r = gw.vault.call(gw.alice, "PUT", "/api/v1/caps", json::serialize(json::object{{"daily_usd", usd}}));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // A cap set on one node reaches the others' copy with the store generation poll. Waits until
  // `node` holds alice to her cap: an unpriced model (the catalog prices no OpenAI model) is
  // refused under a cap. Returns how many probes went through before (each books one request).
  int wait_until_capped(KeyrelayServer& node) {
    if (probe_key_.empty()) probe_key_ = gw.add_key(gw.alice, "openai", "valid");
    int passed = 0;
    const bool capped = poll_until(deadline_in(10s), [&] {
      const int status = chat_on(node, gw.alice, Gateway::chat_body("gpt-4o-mini")).status;
      if (status == 200) ++passed;
      return status == 402;
    }, 50ms);
    EXPECT_TRUE(capped) << "the node never learnt of the cap";
    return passed;
  }
  std::string probe_key_;
};

TEST_F(CapsOnRedis, ConcurrentCallsOnTwoNodesStayWithinOneCap) {
  gw.add_key(gw.alice, "anthropic", "slow300");
  KeyrelayServer node_b = second_node();
  const std::int64_t cap = 300;
  set_user_cap(cap / 1e6);
  const int probes = wait_until_capped(gw.vault.server()) + wait_until_capped(node_b);
  constexpr int kCalls = 50;
  std::vector<HttpConnection> connections;
  for (int i = 0; i < kCalls; ++i)
    connections.push_back(HttpConnection::connect(i % 2 == 0 ? gw.vault.server().port() : node_b.port()));
  for (auto& c : connections) ASSERT_TRUE(c.send(chat_request(gw.alice, haiku_chat("count these words", 20))));
  int answered = 0;
  for (auto& c : connections) {
    auto r = c.read_response();
    ASSERT_TRUE(r);
    if (r->status == 200) {
      ++answered;
      continue;
    }
    EXPECT_EQ(r->status, 402) << r->body;
    EXPECT_NE(r->body.find("spend_cap_exceeded"), std::string::npos) << r->body;
    EXPECT_TRUE(r->header("Retry-After").has_value());
  }
  const auto upstream = gw.upstream_requests("/anthropic/");
  ASSERT_EQ(upstream.size(), static_cast<std::size_t>(answered));
  const std::string body(upstream.front().at("body").as_string());
  const std::int64_t reserved = haiku_cost((static_cast<std::int64_t>(body.size()) + 2) / 3, 20);
  const std::int64_t each = haiku_cost(3, 7);
  ASSERT_LE(each, reserved) << "no call runs past its reservation here: the bound is the cap itself";
  const auto totals = gw.wait_for_usage_totals(gw.alice, answered + probes);
  const auto spent = std::llround(totals.at("cost_usd").to_number<double>() * 1e6);
  EXPECT_EQ(spent, answered * each);
  EXPECT_LE(spent, cap);
  EXPECT_GE(answered, cap / reserved);
}

TEST_F(CapsOnRedis, ANodeSeesTheOtherNodesSpendAtOnce) {
  gw.add_key(gw.alice, "anthropic", "valid");
  KeyrelayServer node_b = second_node();
  // $0.00012: node A's call (reserving 70 µUSD) fits whether or not node B's first call (36
  // reserved, 21 spent) has settled yet — settling in Redis runs on the worker pool, after the
  // answer — and its real cost (112) takes the shared spend past the cap either way.
  set_user_cap(120e-6);
  wait_until_capped(node_b);
  // Node B counts first (its counter exists from now on), then node A spends past the cap.
  auto first = chat_on(node_b, gw.alice, haiku_chat("hi", 1));
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string text = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
                           "fifteen sixteen seventeen eighteen nineteen twenty";
  auto spent_past = gw.chat(gw.alice, haiku_chat(text, 1));
  ASSERT_EQ(spent_past.status, 200) << spent_past.body;
  // Node B's own memory would still allow a small call; the shared counter does not.
  auto refused = chat_on(node_b, gw.alice, haiku_chat("hi", 1));
  EXPECT_EQ(refused.status, 402) << refused.body;
  EXPECT_NE(refused.body.find("the user's daily cap of $0.00012"), std::string::npos) << refused.body;
  EXPECT_EQ(gw.upstream_requests("/anthropic/").size(), 2u);
}

TEST_F(CapsOnRedis, WithRedisStoppedACappedCallIsRefusedAndAnUncappedOneServed) {
  gw.add_key(gw.alice, "anthropic", "valid");
  auto bob = gw.vault.add_user("bob");
  gw.add_key(bob, "anthropic", "valid");
  set_user_cap(1.0);
  ASSERT_EQ(gw.chat(gw.alice, haiku_chat("hi", 5)).status, 200);

  redis.kill();
  auto refused = gw.chat(gw.alice, haiku_chat("hi", 5));
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(object_of(refused).at("error").at("code"), "unavailable");
  EXPECT_TRUE(refused.has_header("Retry-After"));
  EXPECT_EQ(gw.upstream_requests("/anthropic/").size(), 1u) << "the refused call never reached the provider";
  EXPECT_EQ(gw.chat(bob, haiku_chat("hi", 5)).status, 200) << "no cap applies to bob: Redis is not needed";

  redis.start();  // empty: the counter is seeded again from the booked usage
  ASSERT_TRUE(poll_until(deadline_in(10s), [&] { return gw.chat(gw.alice, haiku_chat("hi", 5)).status == 200; }, 200ms));
}

}  // namespace
}  // namespace keyrelay::test
