// The router's fallback through the real binary: keys by priority, each failure kind moving on
// (429, 5xx, reset, slow first byte, bad key), the model chain of `models` and X-Keyrelay-Fallback,
// operator default keys, the circuit breaker, and the final answers when everything fails (all 429
// → 429 with the smallest Retry-After, all timed out → 504, otherwise 502). A stream that breaks
// after its first byte ends with an error event and is never retried.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "gateway_harness.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

Environment fast_timeouts() {
  return {{"KEYRELAY_UPSTREAM_FIRST_BYTE_TIMEOUT", "700ms"}, {"KEYRELAY_DEFAULT_KEY_FALLBACK", "true"},
          {"KEYRELAY_GATEWAY_BREAKER_FAILURES", "3"}, {"KEYRELAY_GATEWAY_BREAKER_COOLDOWN", "60s"}};
}

class GatewayFallback : public ::testing::Test {
 protected:
  Gateway gw{fast_timeouts()};

  std::string key(std::string_view provider, std::string_view behaviour, int priority) {
    return gw.add_key(gw.alice, provider, behaviour, json::object{{"priority", priority}});
  }
  // Provider requests made with `key_id`'s secret.
  std::size_t calls_with(const std::string& key_id) {
    const std::string& secret = gw.secret_of(key_id);
    std::size_t n = 0;
    for (const auto& r : gw.upstream_requests("/"))
      if (json::serialize(r).find(secret) != std::string::npos) ++n;
    return n;
  }
};

TEST_F(GatewayFallback, EachFailureKindMovesOnToTheNextKey) {
  for (const char* failing : {"limited", "error", "reset", "slow1500", "quota"}) {
    SCOPED_TRACE(failing);
    Gateway fresh{fast_timeouts()};
    const auto bad = fresh.add_key(fresh.alice, "anthropic", failing, json::object{{"priority", 0}});
    const auto good = fresh.add_key(fresh.alice, "anthropic", "valid", json::object{{"priority", 1}});
    auto r = fresh.chat(fresh.alice, Gateway::chat_body("claude-3-5-haiku-latest"));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("X-Keyrelay-Key-Id"), good);
    EXPECT_EQ(r.header("X-Keyrelay-Attempts"), "2");
    // The failing key was not marked invalid: it works, it was just unlucky.
    auto stored = get_key(fresh.vault, fresh.alice, "/api/v1/keys/" + bad);
    EXPECT_NE(str(stored, "status"), "invalid");
  }
}

TEST_F(GatewayFallback, ARejectedKeyIsMarkedInvalidAlertedAuditedAndSkipped) {
  const auto bad = key("openai", "invalid", 0);
  const auto good = key("openai", "valid", 1);
  auto r = gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("X-Keyrelay-Key-Id"), good);
  auto stored = get_key(gw.vault, gw.alice, "/api/v1/keys/" + bad);
  EXPECT_EQ(str(stored, "status"), "invalid");
  auto alerts = list_page(gw.vault, gw.alice, "/api/v1/alerts");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(str(alerts[0], "rule"), "key.invalid");
  EXPECT_EQ(str(alerts[0], "key_id"), bad);
  auto validated = audit_events(gw.vault, gw.alice, "action=key.validated");
  ASSERT_EQ(validated.size(), 1u);
  EXPECT_EQ(str(validated[0], "outcome"), "failure");
  // The next request does not try the invalid key again.
  gw.mock.reset();
  ASSERT_EQ(gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini")).status, 200);
  EXPECT_EQ(calls_with(bad), 0u);
  EXPECT_EQ(r.body.find(gw.secret_of(bad)), std::string::npos);
}

TEST_F(GatewayFallback, AllRateLimitedIs429WithTheSmallestRetryAfter) {
  key("openai", "limited9", 0);
  key("openai", "limited3", 1);
  auto r = gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini"));
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_EQ(r.header("Retry-After"), "3");
  EXPECT_EQ(r.header("X-Keyrelay-Attempts"), "2");
  EXPECT_EQ(object_of(r).at("error").at("code"), "rate_limited");
}

TEST_F(GatewayFallback, AllTimedOutIs504AndMixedFailuresAre502) {
  key("gemini", "slow1500", 0);
  auto slow = gw.chat(gw.alice, Gateway::chat_body("gemini-2.0-flash"));
  EXPECT_EQ(slow.status, 504) << slow.body;
  key("openai", "error", 0);
  key("openai", "limited", 1);
  auto mixed = gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini"));
  EXPECT_EQ(mixed.status, 502) << mixed.body;
  EXPECT_EQ(object_of(mixed).at("error").at("code"), "upstream_error");
}

TEST_F(GatewayFallback, ModelsFieldAndFallbackHeaderFormAChain) {
  key("anthropic", "error", 0);
  key("gemini", "valid", 0);
  auto body = Gateway::chat_body("anthropic/claude-3-5-haiku-latest");
  body["models"] = json::array{"gemini/gemini-2.0-flash"};
  auto r = gw.chat(gw.alice, body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("X-Keyrelay-Provider"), "gemini");
  EXPECT_EQ(r.header("X-Keyrelay-Attempts"), "2");

  auto header_chain = gw.chat(gw.alice, Gateway::chat_body("openai/gpt-4o"),
                              {{"X-Keyrelay-Fallback", "anthropic/claude-3-5-haiku-latest, gemini/gemini-2.0-flash"}});
  ASSERT_EQ(header_chain.status, 200) << header_chain.body;
  EXPECT_EQ(header_chain.header("X-Keyrelay-Provider"), "gemini");
}

TEST(GatewayAliases, AnOperatorAliasIsAFallbackChain) {
  Gateway gw(Environment{{"KEYRELAY_ROUTING_ALIASES", "fast=anthropic/claude-3-5-haiku-latest|gemini/gemini-2.0-flash"}});
  gw.add_key(gw.alice, "anthropic", "error");
  gw.add_key(gw.alice, "gemini", "valid");
  auto r = gw.chat(gw.alice, Gateway::chat_body("fast"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("X-Keyrelay-Provider"), "gemini");
  EXPECT_EQ(r.header("X-Keyrelay-Attempts"), "2");
}

TEST_F(GatewayFallback, OperatorDefaultKeysServeOnlyWhereAllowed) {
  const auto shared = create_key(gw.vault, gw.vault.admin(), "gemini", "shared", Gateway::secret_for("gemini", "valid"),
                                 {}, "/api/v1/default-keys");
  auto r = gw.chat(gw.alice, Gateway::chat_body("gemini-2.0-flash"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("X-Keyrelay-Credential"), "default");
  EXPECT_EQ(r.header("X-Keyrelay-Key-Id"), str(shared, "id"));
  // "Always use my key": a broken key of the user's own is not replaced by the operator's.
  gw.add_key(gw.alice, "gemini", "invalid", json::object{{"always_use", true}});
  // Its first use fails and marks it invalid; the operator's key is not tried instead.
  EXPECT_EQ(gw.chat(gw.alice, Gateway::chat_body("gemini-2.0-flash")).status, 502);
  auto refused = gw.chat(gw.alice, Gateway::chat_body("gemini-2.0-flash"));
  EXPECT_EQ(refused.status, 424) << refused.body;
}

TEST_F(GatewayFallback, CircuitBreakerRestsAKeyAfterRepeatedFailures) {
  const auto flaky = key("openai", "error", 0);
  key("openai", "valid", 1);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini")).status, 200);
  EXPECT_EQ(calls_with(flaky), 3u);
  auto rested = gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini"));
  ASSERT_EQ(rested.status, 200);
  EXPECT_EQ(rested.header("X-Keyrelay-Attempts"), "1");
  EXPECT_EQ(calls_with(flaky), 3u) << "a key with an open circuit was called";
}

TEST_F(GatewayFallback, AStreamBrokenAfterItsFirstByteEndsWithAnErrorAndIsNotRetried) {
  const auto cut = key("anthropic", "cut", 0);
  key("anthropic", "valid", 1);
  auto r = gw.chat(gw.alice, Gateway::chat_body("claude-3-5-haiku-latest", "tell me more", true));
  ASSERT_EQ(r.status, 200) << r.body;
  auto data = sse_data(r.body);
  ASSERT_FALSE(data.empty());
  EXPECT_EQ(std::count(data.begin(), data.end(), "[DONE]"), 0) << r.body;
  auto last = json::parse(data.back()).as_object();
  ASSERT_TRUE(last.contains("error")) << r.body;
  EXPECT_EQ(r.header("X-Keyrelay-Key-Id"), cut);
  EXPECT_EQ(gw.upstream_requests("/anthropic/v1/messages").size(), 1u);
}

}  // namespace
}  // namespace keyrelay::test
