// Every refusal by a limit says when to come back (issue 12, item 11; API.md round 2: "a lockout's,
// a limit's and a cap's refusals all carry Retry-After; limits also RateLimit-Limit/-Remaining/
// -Reset"). One test per kind of 429 keyrelay gives on its own: a change, a validation, a gateway
// request, and an address locked out after failed authentications.

#include <gtest/gtest.h>

#include <charconv>

#include "api_json.h"
#include "gateway_harness.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

// A whole number of seconds (or of requests) >= `min`.
bool is_count(const std::optional<std::string>& value, long min) {
  if (!value) return false;
  long n = -1;
  const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
  return ec == std::errc{} && end == value->data() + value->size() && n >= min;
}

::testing::AssertionResult is_limit_refusal(const HttpResponse& r) {
  if (r.status != 429) return ::testing::AssertionFailure() << "not a 429:\n" << describe(r);
  if (!is_count(r.header("Retry-After"), 1)) return ::testing::AssertionFailure() << "Retry-After:\n" << describe(r);
  if (!is_count(r.header("RateLimit-Limit"), 1)) return ::testing::AssertionFailure() << "RateLimit-Limit:\n" << describe(r);
  if (r.header("RateLimit-Remaining") != "0")
    return ::testing::AssertionFailure() << "RateLimit-Remaining should be 0:\n" << describe(r);
  if (!is_count(r.header("RateLimit-Reset"), 1)) return ::testing::AssertionFailure() << "RateLimit-Reset:\n" << describe(r);
  return ::testing::AssertionSuccess();
}

TEST(RefusalHeaders, AChangeRefusedByTheMutationLimit) {
  VaultServer vault({.env = {{"KEYRELAY_RATE_LIMIT_MUTATIONS", "1/1m"}}});
  const Identity alice = vault.add_user("alice");
  auto create = [&](std::string_view name) {
    return vault.call(alice, "POST", "/api/v1/keys",
                      body_of({{"provider", "openai"}, {"name", name}, {"secret", make_secret()}}));
  };
  ASSERT_EQ(create("first").status, 201);
  EXPECT_TRUE(is_limit_refusal(create("second")));
}

TEST(RefusalHeaders, AValidationRefusedByTheValidationLimit) {
  Gateway gw(Environment{{"KEYRELAY_RATE_LIMIT_VALIDATIONS", "1/1h"}});
  const std::string body = body_of({{"provider", "openai"}, {"secret", Gateway::secret_for("openai", "valid")}});
  ASSERT_EQ(gw.vault.call(gw.alice, "POST", "/api/v1/keys/validate", body).status, 200);
  EXPECT_TRUE(is_limit_refusal(gw.vault.call(gw.alice, "POST", "/api/v1/keys/validate", body)));
}

TEST(RefusalHeaders, AGatewayRequestRefusedByTheGatewayLimit) {
  Gateway gw(Environment{{"KEYRELAY_RATE_LIMIT_GATEWAY", "1/1m"}});
  gw.add_key(gw.alice, "openai", "valid");
  ASSERT_EQ(gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini")).status, 200);
  EXPECT_TRUE(is_limit_refusal(gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini"))));
  auto proxied = gw.vault.call(gw.alice, "POST", "/proxy/openai/chat/completions", R"({"model":"gpt-4o-mini"})");
  EXPECT_TRUE(is_limit_refusal(proxied));
}

TEST(RefusalHeaders, ARequestRefusedByTheLockout) {
  VaultServer vault({.env = {{"KEYRELAY_RATE_LIMIT_AUTH_FAILURES", "2/1m"}, {"KEYRELAY_RATE_LIMIT_AUTH_BLOCK", "10m"}}});
  for (int i = 0; i < 3; ++i) vault.send("GET", "/api/v1/keys", {{"Authorization", "Bearer wrong"}});
  auto refused = vault.send("GET", "/api/v1/keys", {{"Authorization", "Bearer wrong"}});
  ASSERT_TRUE(is_api_error(refused, 429, "rate_limited")) << describe(refused);
  EXPECT_TRUE(is_limit_refusal(refused));
  EXPECT_EQ(refused.header("RateLimit-Limit"), "2");
  EXPECT_GE(std::stoi(refused.header("Retry-After").value_or("0")), 590) << "the block lasts 10 min";
}

}  // namespace
}  // namespace keyrelay::test
