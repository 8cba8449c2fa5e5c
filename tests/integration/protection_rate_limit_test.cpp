// Rate limits through the real binary (issue 5): changes and validations per user, gateway
// requests per token, failed authentications per client IP. A refused request is 429 with
// Retry-After and RateLimit-* headers and changes nothing; the bucket refills.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api_json.h"
#include "gateway_harness.h"
#include "support/deadline.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

int header_int(const HttpResponse& r, std::string_view name) { return std::stoi(r.header(name).value_or("-1")); }

HttpResponse create(VaultServer& vault, const Identity& who, const std::string& name) {
  return vault.call(who, "POST", "/api/v1/keys",
                    body_of({{"provider", "openai"}, {"name", name}, {"secret", "sk-proj-" + name + "-abcdefghijklmnop"}}));
}

TEST(RateLimits, TheEleventhChangeWithinTheWindowIsRefusedAndChangesNothing) {
  VaultServer vault({.env = {{"KEYRELAY_RATE_LIMIT_MUTATIONS", "10/10s"}}});
  const Identity alice = vault.add_user("alice");
  const Identity bob = vault.add_user("bob");
  for (int i = 0; i < 10; ++i) {
    auto r = create(vault, alice, "key" + std::to_string(i));
    ASSERT_EQ(r.status, 201) << "change " << i + 1 << ": " << r.body;
    EXPECT_EQ(r.header("RateLimit-Limit"), "10");
    if (i == 0) {
      EXPECT_EQ(r.header("RateLimit-Remaining"), "9");
    }
  }
  auto refused = create(vault, alice, "key10");
  ASSERT_TRUE(is_api_error(refused, 429, "rate_limited")) << describe(refused);
  EXPECT_EQ(refused.header("RateLimit-Limit"), "10");
  EXPECT_EQ(refused.header("RateLimit-Remaining"), "0");
  EXPECT_GE(header_int(refused, "Retry-After"), 1);
  EXPECT_LE(header_int(refused, "Retry-After"), 1) << "one unit comes back every 10 s / 10";
  EXPECT_GE(header_int(refused, "RateLimit-Reset"), 1);
  EXPECT_LE(header_int(refused, "RateLimit-Reset"), 10);

  // Nothing changed: still ten keys, none named key10. Reads are not charged; bob has his own bucket.
  const auto keys = list_all(vault, alice, "/api/v1/keys");
  EXPECT_EQ(keys.size(), 10u);
  for (const auto& k : keys) EXPECT_NE(str(k, "name"), "key10");
  EXPECT_EQ(create(vault, bob, "bobs").status, 201);

  // After Retry-After the next change goes through.
  std::this_thread::sleep_for(std::chrono::seconds(header_int(refused, "Retry-After")));
  auto again = create(vault, alice, "key10");
  EXPECT_EQ(again.status, 201) << again.body;
}

TEST(RateLimits, ValidationsHaveTheirOwnBucket) {
  Gateway gw(Environment{{"KEYRELAY_RATE_LIMIT_VALIDATIONS", "2/1h"}, {"KEYRELAY_RATE_LIMIT_MUTATIONS", "100/1m"}});
  const std::string body = body_of({{"provider", "openai"}, {"secret", Gateway::secret_for("openai", "valid")}});
  EXPECT_EQ(gw.vault.call(gw.alice, "POST", "/api/v1/keys/validate", body).status, 200);
  EXPECT_EQ(gw.vault.call(gw.alice, "POST", "/api/v1/keys/validate", body).status, 200);
  auto refused = gw.vault.call(gw.alice, "POST", "/api/v1/keys/validate", body);
  EXPECT_TRUE(is_api_error(refused, 429, "rate_limited")) << describe(refused);
  EXPECT_GE(header_int(refused, "Retry-After"), 1700) << "one validation comes back every 30 min";
  EXPECT_EQ(gw.upstream_requests("/openai/").size(), 2u) << "the refused one never reached the provider";
  // Changes are a different bucket.
  EXPECT_EQ(create(gw.vault, gw.alice, "still-fine").status, 201);
}

TEST(RateLimits, CreateAndRotateWithValidateAreChargedToTheValidationBucketToo) {
  // Otherwise `validate: true` on create/rotate asks the provider ~600 times an hour instead of
  // 30: an oracle for trying stolen keys.
  Gateway gw(Environment{{"KEYRELAY_RATE_LIMIT_VALIDATIONS", "1/1h"}, {"KEYRELAY_RATE_LIMIT_MUTATIONS", "100/1m"}});
  auto create = [&](const std::string& name, bool validate) {
    return gw.vault.call(gw.alice, "POST", "/api/v1/keys",
                         body_of({{"provider", "openai"},
                                  {"name", name},
                                  {"secret", Gateway::secret_for("openai", "valid")},
                                  {"validate", validate}}));
  };
  auto first = create("first", true);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(str(json::parse(first.body).at("validation").as_object(), "state"), "valid");
  EXPECT_EQ(gw.upstream_requests("/openai/").size(), 1u);

  // The bucket is empty: the whole request is refused before anything is stored.
  auto refused = create("second", true);
  EXPECT_TRUE(is_api_error(refused, 429, "rate_limited")) << describe(refused) << refused.body;
  EXPECT_GE(header_int(refused, "Retry-After"), 1700);
  auto keys = list_all(gw.vault, gw.alice, "/api/v1/keys");
  ASSERT_EQ(keys.size(), 1u) << "nothing stored";

  const std::string id = str(keys[0], "id");
  auto rotated = gw.vault.call(gw.alice, "POST", "/api/v1/keys/" + id + "/rotate",
                               body_of({{"secret", Gateway::secret_for("openai", "valid")}, {"validate", true}}));
  EXPECT_TRUE(is_api_error(rotated, 429, "rate_limited")) << describe(rotated) << rotated.body;
  EXPECT_EQ(get_key(gw.vault, gw.alice, "/api/v1/keys/" + id).at("version").as_int64(), 1) << "not rotated";
  EXPECT_EQ(gw.upstream_requests("/openai/").size(), 1u) << "no refused request reached the provider";

  // Without validate the same changes are only changes.
  EXPECT_EQ(create("third", false).status, 201);
  auto plain = gw.vault.call(gw.alice, "POST", "/api/v1/keys/" + id + "/rotate",
                             body_of({{"secret", Gateway::secret_for("openai", "valid")}}));
  EXPECT_EQ(plain.status, 200) << plain.body;
}

TEST(RateLimits, GatewayRequestsAreLimitedPerTokenInOpenAiShape) {
  Gateway gw(Environment{{"KEYRELAY_RATE_LIMIT_GATEWAY", "2/1m"}});
  gw.add_key(gw.alice, "openai", "valid");
  EXPECT_EQ(gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini")).status, 200);
  EXPECT_EQ(gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini")).status, 200);
  auto refused = gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini"));
  ASSERT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(text_of(json::parse(refused.body).at("error").at("code")), "rate_limited");
  EXPECT_TRUE(refused.has_header("Retry-After"));
  // Another token of the same user has its own bucket.
  const Identity second = gw.vault.issue_token(gw.alice, std::nullopt);
  EXPECT_EQ(gw.chat(second, Gateway::chat_body("gpt-4o-mini")).status, 200);
}

TEST(RateLimits, AnAddressThatKeepsFailingToAuthenticateIsRefusedForAWhile) {
  VaultServer vault({.env = {{"KEYRELAY_RATE_LIMIT_AUTH_FAILURES", "3/1m"}, {"KEYRELAY_RATE_LIMIT_AUTH_BLOCK", "2s"}}});
  const Identity alice = vault.add_user("alice");
  const Identity wrong{alice.user_id, "alice", "kr_" + std::string(43, 'A'), ""};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(vault.call(wrong, "GET", "/api/v1/keys").status, 401) << "failure " << i + 1;
  // Refused now: the address is blocked for failing credentials (a good token is still served:
  // protection_lockout_test.cpp).
  auto refused = vault.call(wrong, "GET", "/api/v1/keys");
  EXPECT_TRUE(is_api_error(refused, 429, "rate_limited")) << describe(refused);
  EXPECT_GE(header_int(refused, "Retry-After"), 1);
  EXPECT_LE(header_int(refused, "Retry-After"), 2);
  // Health checks carry no credentials and still answer.
  EXPECT_EQ(vault.send("GET", "/healthz", {}).status, 200);
  std::this_thread::sleep_for(2100ms);
  EXPECT_EQ(vault.call(wrong, "GET", "/api/v1/keys").status, 401) << "the block has ended";
  // The operator (on the same address here, so only now) hears about it.
  EXPECT_TRUE(poll_until(deadline_in(10s), [&] {
    for (const auto& a : list_page(vault, vault.admin(), "/api/v1/alerts?status=open"))
      if (str(a, "rule") == "auth.failure_burst" && str(a, "severity") == "warning") return true;
    return false;
  })) << "no auth.failure_burst alert";
}

}  // namespace
}  // namespace keyrelay::test
