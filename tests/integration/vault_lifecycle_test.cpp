// The happy paths of a user's keys through the real binary: create, get, list (filters and
// pagination), patch, rotate, expiring, delete; and the provider catalog. API.md "Resources" and
// "Management endpoints".

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "api_json.h"
#include "core/time_format.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

class VaultLifecycle : public ::testing::Test {
 protected:
  VaultServer vault;
  Identity alice = vault.add_user("alice");
};

std::string key_path(const json::object& key) { return "/api/v1/keys/" + str(key, "id"); }

std::string last4(std::string_view secret) { return std::string(secret.substr(secret.size() - 4)); }

TEST_F(VaultLifecycle, CreateAnswers201WithTheKeyShapeAndNeverTheSecret) {
  const std::string secret = make_secret("sk-proj-");
  json::object body{{"provider", "openai"},
                    {"name", "primary"},
                    {"secret", secret},
                    {"priority", 3},
                    {"metadata", json::object{{"team", "search"}}}};
  auto response = vault.call(alice, "POST", "/api/v1/keys", body_of(body));
  ASSERT_EQ(response.status, 201) << describe(response);
  EXPECT_TRUE(has_json_content_type(response));
  EXPECT_EQ(response.body.find(secret), std::string::npos) << response.body;
  auto key = object_of(response);
  EXPECT_TRUE(is_key_shape(key));
  EXPECT_EQ(str(key, "provider"), "openai");
  EXPECT_EQ(str(key, "name"), "primary");
  EXPECT_EQ(str(key, "hint"), "\u2026" + last4(secret));
  EXPECT_EQ(str(key, "owner"), "user");
  EXPECT_EQ(str(key, "status"), "active");
  EXPECT_EQ(key.at("version"), 1);
  EXPECT_EQ(key.at("priority"), 3);
  EXPECT_EQ(key.at("always_use"), false);
  EXPECT_EQ(key.at("validation"), (json::object{{"state", "unknown"}, {"checked_at", nullptr}, {"message", nullptr}}));
  EXPECT_TRUE(key.at("expires_at").is_null());
  EXPECT_TRUE(key.at("last_used_at").is_null());
  EXPECT_EQ(key.at("usage"), (json::object{{"requests", 0}, {"input_tokens", 0}, {"output_tokens", 0}, {"errors", 0}}));
  EXPECT_EQ(key.at("metadata"), (json::object{{"team", "search"}}));
  EXPECT_EQ(key.at("created_at"), key.at("updated_at"));
}

TEST_F(VaultLifecycle, HintShowsTheLastFourCharactersOnlyForSecretsOfSixteenOrMore) {
  struct Case {
    std::string secret;
    std::string hint;
  };
  const std::string s15 = "sk-" + random_base64url(12);
  const std::string s16 = "sk-" + random_base64url(13);
  const std::string s48 = make_secret("sk-proj-");
  for (const auto& c : {Case{s15, "\u2026"}, Case{s16, "\u2026" + last4(s16)}, Case{s48, "\u2026" + last4(s48)},
                        Case{"abc", "\u2026"}}) {
    SCOPED_TRACE("secret of " + std::to_string(c.secret.size()) + " chars");
    auto key = create_key(vault, alice, "openai", "k" + std::to_string(c.secret.size()), c.secret);
    EXPECT_EQ(str(key, "hint"), c.hint);
  }
}

TEST_F(VaultLifecycle, GetReturnsExactlyWhatCreateReturned) {
  auto created = create_key(vault, alice, "anthropic", "main", make_secret("sk-ant-api03-"));
  auto response = vault.call(alice, "GET", key_path(created));
  ASSERT_EQ(response.status, 200) << describe(response);
  EXPECT_EQ(object_of(response), created);
}

TEST_F(VaultLifecycle, ListShowsOwnKeysAndFiltersByProviderAndStatus) {
  auto openai = create_key(vault, alice, "openai", "one", make_secret("sk-proj-"));
  auto anthropic = create_key(vault, alice, "anthropic", "two", make_secret("sk-ant-api03-"));
  auto gemini = create_key(vault, alice, "gemini", "three", make_secret("AIza"));
  auto disabled = vault.call(alice, "PATCH", key_path(gemini), R"({"enabled":false})");
  ASSERT_EQ(disabled.status, 200) << disabled.body;

  auto all = list_all(vault, alice, "/api/v1/keys");
  auto ids = ids_of(all);
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> expected = {str(openai, "id"), str(anthropic, "id"), str(gemini, "id")};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(ids, expected);
  for (const auto& k : all) EXPECT_TRUE(is_key_shape(k));

  auto only_anthropic = list_all(vault, alice, "/api/v1/keys?provider=anthropic");
  ASSERT_EQ(only_anthropic.size(), 1u);
  EXPECT_EQ(str(only_anthropic[0], "id"), str(anthropic, "id"));

  auto only_disabled = list_all(vault, alice, "/api/v1/keys?status=disabled");
  ASSERT_EQ(only_disabled.size(), 1u);
  EXPECT_EQ(str(only_disabled[0], "id"), str(gemini, "id"));
  EXPECT_EQ(str(only_disabled[0], "status"), "disabled");

  auto active = list_all(vault, alice, "/api/v1/keys?status=active");
  EXPECT_EQ(active.size(), 2u);
  EXPECT_FALSE(contains_id(active, str(gemini, "id")));

  EXPECT_TRUE(list_all(vault, alice, "/api/v1/keys?provider=openai&status=disabled").empty());
}

TEST_F(VaultLifecycle, ListQueryValuesArePercentDecoded) {
  auto kimi = create_key(vault, alice, "kimi-cn", "cn", make_secret("sk-"));
  create_key(vault, alice, "openai", "other", make_secret());
  const auto plain = list_all(vault, alice, "/api/v1/keys?provider=kimi-cn");
  ASSERT_EQ(ids_of(plain), std::vector<std::string>{str(kimi, "id")});
  auto response = vault.call(alice, "GET", "/api/v1/keys?provider=kimi%2Dcn");
  ASSERT_EQ(response.status, 200) << "GET /api/v1/keys?provider=kimi%2Dcn\n" << describe(response);
  EXPECT_EQ(ids_of(list_all(vault, alice, "/api/v1/keys?provider=kimi%2Dcn")), ids_of(plain));
  EXPECT_EQ(ids_of(list_all(vault, alice, "/api/v1/keys?provider=%6Bimi-cn&status=%61ctive")), ids_of(plain));
}

TEST_F(VaultLifecycle, ListWithLimitOneWalksEveryKeyExactlyOnce) {
  std::set<std::string> expected;
  for (int i = 0; i < 5; ++i)
    expected.insert(str(create_key(vault, alice, "openai", "k" + std::to_string(i), make_secret()), "id"));

  auto first = vault.call(alice, "GET", "/api/v1/keys?limit=1");
  ASSERT_TRUE(is_collection(first));
  auto page = object_of(first);
  EXPECT_EQ(page.at("data").as_array().size(), 1u);
  EXPECT_TRUE(page.at("next_cursor").is_string()) << first.body;

  auto walked = ids_of(list_all(vault, alice, "/api/v1/keys?limit=1", 20));
  std::set<std::string> unique(walked.begin(), walked.end());
  EXPECT_EQ(walked.size(), expected.size()) << "a key came twice or went missing";
  EXPECT_EQ(unique, expected);
  EXPECT_EQ(ids_of(list_all(vault, alice, "/api/v1/keys?limit=200")), walked) << "pages keep the list order";
}

TEST_F(VaultLifecycle, PatchChangesTheGivenFieldsAndKeepsTheRest) {
  auto key = create_key(vault, alice, "openai", "before", make_secret());
  const std::string expires = rfc3339_in_days(30);
  json::object patch{{"name", "after"},
                     {"priority", -5},
                     {"always_use", true},
                     {"expires_at", expires},
                     {"metadata", json::object{{"env", "prod"}}}};
  auto response = vault.call(alice, "PATCH", key_path(key), body_of(patch));
  ASSERT_EQ(response.status, 200) << describe(response);
  auto patched = object_of(response);
  EXPECT_TRUE(is_key_shape(patched));
  EXPECT_EQ(str(patched, "name"), "after");
  EXPECT_EQ(patched.at("priority"), -5);
  EXPECT_EQ(patched.at("always_use"), true);
  EXPECT_EQ(patched.at("metadata"), (json::object{{"env", "prod"}}));
  ASSERT_TRUE(patched.at("expires_at").is_string());
  EXPECT_EQ(core::parse_rfc3339(patched.at("expires_at").as_string()), core::parse_rfc3339(expires));
  for (auto same : {"id", "provider", "hint", "owner", "status", "version", "created_at", "validation"})
    EXPECT_EQ(patched.at(same), key.at(same)) << same;
  EXPECT_GE(core::parse_rfc3339(patched.at("updated_at").as_string()),
            core::parse_rfc3339(key.at("updated_at").as_string()));
  EXPECT_EQ(get_key(vault, alice, key_path(key)), patched) << "GET shows the patched key";
}

TEST_F(VaultLifecycle, PatchEnabledFalseDisablesAndTrueReenables) {
  auto key = create_key(vault, alice, "openai", "toggle", make_secret());
  auto off = vault.call(alice, "PATCH", key_path(key), R"({"enabled":false})");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(str(object_of(off), "status"), "disabled");
  auto on = vault.call(alice, "PATCH", key_path(key), R"({"enabled":true})");
  ASSERT_EQ(on.status, 200) << on.body;
  EXPECT_EQ(str(object_of(on), "status"), "active");
}

TEST_F(VaultLifecycle, RotateAnswers200WithTheNextVersionAndTheNewHint) {
  auto key = create_key(vault, alice, "openai", "rotating", make_secret());
  const std::string second = make_secret();
  auto response = vault.call(alice, "POST", key_path(key) + "/rotate", body_of({{"secret", second}}));
  ASSERT_EQ(response.status, 200) << describe(response);
  auto rotated = object_of(response);
  EXPECT_TRUE(is_key_shape(rotated));
  EXPECT_EQ(rotated.at("version"), 2);
  EXPECT_EQ(str(rotated, "hint"), "\u2026" + last4(second));
  EXPECT_EQ(rotated.at("validation").as_object().at("state"), "unknown");
  for (auto same : {"id", "provider", "name", "owner", "status", "priority", "created_at"})
    EXPECT_EQ(rotated.at(same), key.at(same)) << same;

  auto again = vault.call(alice, "POST", key_path(key) + "/rotate", body_of({{"secret", make_secret()}}));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(object_of(again).at("version"), 3);
  EXPECT_EQ(get_key(vault, alice, key_path(key)).at("version"), 3);
}

TEST_F(VaultLifecycle, ExpiringListsKeysDueWithinTheWindowSoonestFirst) {
  auto in3 = create_key(vault, alice, "openai", "in3", make_secret(), {{"expires_at", rfc3339_in_days(3)}});
  auto in1 = create_key(vault, alice, "anthropic", "in1", make_secret("sk-ant-"), {{"expires_at", rfc3339_in_days(1)}});
  auto in30 = create_key(vault, alice, "openai", "in30", make_secret(), {{"expires_at", rfc3339_in_days(30)}});
  auto never = create_key(vault, alice, "openai", "never", make_secret());

  auto week = list_all(vault, alice, "/api/v1/keys/expiring?within_days=7");
  EXPECT_EQ(ids_of(week), (std::vector<std::string>{str(in1, "id"), str(in3, "id")}));
  for (const auto& k : week) EXPECT_TRUE(is_key_shape(k));

  auto default_window = list_all(vault, alice, "/api/v1/keys/expiring");
  EXPECT_EQ(ids_of(default_window), ids_of(week)) << "within_days defaults to 7";

  auto two_months = list_all(vault, alice, "/api/v1/keys/expiring?within_days=60");
  EXPECT_EQ(ids_of(two_months), (std::vector<std::string>{str(in1, "id"), str(in3, "id"), str(in30, "id")}));
  EXPECT_FALSE(contains_id(two_months, str(never, "id")));
}

TEST_F(VaultLifecycle, DeleteAnswers204ThenTheKeyIsGoneEverywhere) {
  auto key = create_key(vault, alice, "openai", "doomed", make_secret(), {{"expires_at", rfc3339_in_days(2)}});
  auto keep = create_key(vault, alice, "openai", "kept", make_secret());
  auto response = vault.call(alice, "DELETE", key_path(key));
  ASSERT_EQ(response.status, 204) << describe(response);
  EXPECT_TRUE(response.body.empty());

  EXPECT_TRUE(is_api_error(vault.call(alice, "GET", key_path(key)), 404, "not_found"));
  EXPECT_TRUE(is_api_error(vault.call(alice, "DELETE", key_path(key)), 404, "not_found"));
  EXPECT_TRUE(is_api_error(vault.call(alice, "PATCH", key_path(key), R"({"priority":1})"), 404, "not_found"));
  EXPECT_TRUE(is_api_error(vault.call(alice, "POST", key_path(key) + "/rotate", body_of({{"secret", make_secret()}})),
                           404, "not_found"));
  EXPECT_EQ(ids_of(list_all(vault, alice, "/api/v1/keys")), std::vector<std::string>{str(keep, "id")});
  EXPECT_TRUE(list_all(vault, alice, "/api/v1/keys/expiring?within_days=30").empty());
}

TEST_F(VaultLifecycle, ANameAndASecretCanBeReusedAfterDelete) {
  const std::string secret = make_secret();
  auto key = create_key(vault, alice, "openai", "reused", secret);
  ASSERT_EQ(vault.call(alice, "DELETE", key_path(key)).status, 204);
  auto again = create_key(vault, alice, "openai", "reused", secret);
  EXPECT_NE(str(again, "id"), str(key, "id"));
  EXPECT_EQ(again.at("version"), 1);
}

TEST_F(VaultLifecycle, TheSameNameMayBeUsedForAnotherProviderAndByAnotherUser) {
  create_key(vault, alice, "openai", "main", make_secret());
  EXPECT_NO_THROW(create_key(vault, alice, "anthropic", "main", make_secret("sk-ant-")));
  auto bob = vault.add_user("bob");
  EXPECT_NO_THROW(create_key(vault, bob, "openai", "main", make_secret()));
}

TEST_F(VaultLifecycle, ProvidersListsAllSixteenCatalogEntriesWithTheProviderShape) {
  auto response = vault.call(alice, "GET", "/api/v1/providers");
  ASSERT_EQ(response.status, 200) << describe(response);
  ASSERT_TRUE(is_collection(response));
  auto body = object_of(response);
  EXPECT_TRUE(body.at("next_cursor").is_null());
  std::set<std::string> ids;
  for (const auto& p : body.at("data").as_array()) {
    EXPECT_TRUE(is_provider_shape(p.as_object()));
    ids.insert(str(p.as_object(), "id"));
  }
  const std::set<std::string> catalog = {
      "openai", "anthropic", "gemini", "perplexity", "kimi",     "kimi-cn", "google-maps", "openweathermap",
      "duffel", "firecrawl", "groq",   "mistral",    "deepseek", "xai",     "openrouter",  "together"};
  EXPECT_EQ(ids, catalog);
  EXPECT_EQ(body.at("data").as_array().size(), 16u);
  for (const auto& p : body.at("data").as_array()) {
    if (str(p.as_object(), "id") != "openai") continue;
    EXPECT_EQ(str(p.as_object(), "name"), "OpenAI");
    EXPECT_EQ(str(p.as_object(), "kind"), "llm");
    EXPECT_EQ(str(p.as_object(), "wire"), "openai");
    EXPECT_EQ(str(p.as_object(), "key_prefix"), "sk-");
    EXPECT_EQ(p.as_object().at("fields"), (json::array{"api_key"}));
  }
}

}  // namespace
}  // namespace keyrelay::test
