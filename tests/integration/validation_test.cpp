// Key validation through the real binary against the mock provider: each provider's own answer is
// read right (401s, Gemini's 400 API_KEY_INVALID, Maps' 200 REQUEST_DENIED, quota, rate limits), the
// verdict is stored on the key and audited, the key is injected where the provider wants it and
// keyrelay's own token never reaches the provider, and no message carries the secret.

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "api_json.h"
#include "support/mock_provider_process.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

class Validation : public ::testing::Test {
 protected:
  MockProviderProcess mock;
  VaultServer vault{VaultServer::Options{mock.provider_env()}};
  Identity alice = vault.add_user("alice");

  // A distinctive secret whose last dash-word tells the mock how to answer.
  static std::string secret_for(std::string_view prefix, std::string_view behaviour) {
    return std::string(prefix) + random_base64url(24) + "-" + std::string(behaviour);
  }

  json::object validate_stored(const std::string& key_id, int expected_status = 200) {
    auto r = vault.call(alice, "POST", "/api/v1/keys/" + key_id + "/validate");
    EXPECT_EQ(r.status, expected_status) << r.body;
    return object_of(r);
  }
};

struct ProviderCase {
  const char* provider;
  const char* prefix;
};

const ProviderCase kProviders[] = {
    {"openai", "sk-proj-"}, {"anthropic", "sk-ant-"}, {"gemini", "AIza"}, {"google-maps", "AIza"},
    {"perplexity", "pplx-"}, {"kimi", "sk-"}, {"openweathermap", "owm"}, {"duffel", "duffel_test_"},
    {"firecrawl", "fc-"}, {"groq", "gsk_"}};

TEST_F(Validation, AWorkingKeyOfEveryProviderValidatesAndIsStoredAsValid) {
  for (const auto& c : kProviders) {
    SCOPED_TRACE(c.provider);
    const std::string secret = secret_for(c.prefix, "valid");
    auto key = create_key(vault, alice, c.provider, "ok", secret);
    auto result = validate_stored(str(key, "id"));
    EXPECT_TRUE(result.at("valid").as_bool()) << json::serialize(result);
    EXPECT_EQ(str(result, "state"), "valid");
    EXPECT_EQ(result.at("http_status").as_int64(), 200);
    EXPECT_GE(result.at("latency_ms").as_int64(), 0);
    auto stored = object_of(vault.call(alice, "GET", "/api/v1/keys/" + str(key, "id")));
    EXPECT_EQ(str(stored.at("validation").as_object(), "state"), "valid");
    EXPECT_FALSE(stored.at("validation").at("checked_at").is_null());
    EXPECT_EQ(str(stored, "status"), "active");
  }
}

TEST_F(Validation, ARejectedKeyOfEveryProviderBecomesInvalidAndTheMessageNeverHoldsTheSecret) {
  for (const auto& c : kProviders) {
    SCOPED_TRACE(c.provider);
    const std::string secret = secret_for(c.prefix, "invalid");
    auto key = create_key(vault, alice, c.provider, "bad", secret);
    auto result = validate_stored(str(key, "id"));
    EXPECT_FALSE(result.at("valid").as_bool()) << json::serialize(result);
    EXPECT_EQ(str(result, "state"), "invalid");
    EXPECT_EQ(json::serialize(result).find(secret), std::string::npos);
    auto stored = object_of(vault.call(alice, "GET", "/api/v1/keys/" + str(key, "id")));
    EXPECT_EQ(str(stored, "status"), "invalid");
    EXPECT_EQ(json::serialize(stored).find(secret), std::string::npos);
  }
  auto failures = audit_events(vault, alice, "action=key.validated");
  EXPECT_EQ(failures.size(), std::size(kProviders));
  for (const auto& e : failures) EXPECT_EQ(str(e, "outcome"), "failure");
}

TEST_F(Validation, ThrottledOrOutOfCreditKeysStillWorkAndStayUsable) {
  for (const char* behaviour : {"limited", "quota"}) {
    SCOPED_TRACE(behaviour);
    auto key = create_key(vault, alice, "openai", behaviour, secret_for("sk-proj-", behaviour));
    auto result = validate_stored(str(key, "id"));
    EXPECT_TRUE(result.at("valid").as_bool()) << json::serialize(result);
    EXPECT_NE(str(result, "message"), "") << "the message says why";
    EXPECT_EQ(str(object_of(vault.call(alice, "GET", "/api/v1/keys/" + str(key, "id"))), "status"), "active");
  }
  auto kimi = create_key(vault, alice, "kimi", "broke", secret_for("sk-", "quota"));
  EXPECT_TRUE(validate_stored(str(kimi, "id")).at("valid").as_bool()) << "Kimi's 403 balance answer is not an invalid key";
}

TEST_F(Validation, ProviderFailuresAreErrorsThatLeaveTheKeyActive) {
  for (const char* behaviour : {"error", "reset"}) {
    SCOPED_TRACE(behaviour);
    auto key = create_key(vault, alice, "anthropic", behaviour, secret_for("sk-ant-", behaviour));
    auto result = validate_stored(str(key, "id"));
    EXPECT_FALSE(result.at("valid").as_bool());
    EXPECT_EQ(str(result, "state"), "error");
    EXPECT_EQ(str(object_of(vault.call(alice, "GET", "/api/v1/keys/" + str(key, "id"))), "status"), "active");
  }
}

TEST_F(Validation, TheKeyGoesWhereTheProviderWantsItAndKeyrelaysTokenNeverLeaves) {
  const std::string header_secret = secret_for("sk-proj-", "echo");
  const std::string query_secret = secret_for("AIza", "echo");
  auto header_key = create_key(vault, alice, "openai", "h", header_secret);
  auto query_key = create_key(vault, alice, "google-maps", "q", query_secret);
  mock.reset();
  validate_stored(str(header_key, "id"));
  validate_stored(str(query_key, "id"));
  const auto seen = mock.requests();
  ASSERT_EQ(seen.size(), 2u);
  std::string all;
  for (const auto& request : seen) all += json::serialize(request) + "\n";
  EXPECT_EQ(all.find(alice.token), std::string::npos) << "keyrelay's token must never reach a provider";
  EXPECT_NE(all.find("Bearer " + header_secret), std::string::npos) << all;
  EXPECT_NE(all.find(query_secret), std::string::npos) << "the Maps key travels in the query";
}

TEST_F(Validation, AnUnstoredSecretCanBeCheckedWithoutBeingSaved) {
  const std::string secret = secret_for("sk-ant-", "valid");
  auto r = vault.call(alice, "POST", "/api/v1/keys/validate",
                      json::serialize(json::object{{"provider", "anthropic"}, {"secret", secret}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(object_of(r).at("valid").as_bool());
  EXPECT_TRUE(list_all(vault, alice, "/api/v1/keys").empty()) << "nothing is stored";
  auto events = audit_events(vault, alice, "action=key.validated");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(str(events[0], "provider"), "anthropic");
  EXPECT_TRUE(is_api_error(vault.call(alice, "POST", "/api/v1/keys/validate", R"({"provider":"nope","secret":"x-valid"})"),
                           400, "invalid_request"));
  EXPECT_TRUE(is_api_error(vault.call(alice, "POST", "/api/v1/keys/validate", R"({"provider":"openai"})"), 400,
                           "invalid_request"));
  EXPECT_EQ(vault.call(alice, "POST", "/api/keys/validate",
                       json::serialize(json::object{{"provider", "anthropic"}, {"secret", secret}})).status,
            200)
      << "the alias validates too";
}

TEST_F(Validation, CreateWithValidateTrueReturnsTheKeyWithItsVerdict) {
  auto r = vault.call(alice, "POST", "/api/v1/keys",
                      json::serialize(json::object{{"provider", "gemini"}, {"secret", secret_for("AIza", "invalid")},
                                                   {"validate", true}}));
  ASSERT_EQ(r.status, 201) << r.body;
  auto key = object_of(r);
  EXPECT_EQ(str(key.at("validation").as_object(), "state"), "invalid") << "Gemini's 400 API_KEY_INVALID";
  EXPECT_EQ(str(key, "status"), "invalid");
}

TEST_F(Validation, AnotherUsersKeyCannotBeValidated) {
  auto key = create_key(vault, alice, "openai", "mine", secret_for("sk-proj-", "valid"));
  auto bob = vault.add_user("bob");
  mock.reset();
  EXPECT_TRUE(is_api_error(vault.call(bob, "POST", "/api/v1/keys/" + str(key, "id") + "/validate"), 404, "not_found"));
  EXPECT_TRUE(mock.requests().empty()) << "no provider call for someone else's key";
}

}  // namespace
}  // namespace keyrelay::test
