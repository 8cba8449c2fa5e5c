// The compatibility aliases /api/api-keys/… and /api/keys/… answer with exactly the /api/v1
// shapes of the same handlers (API.md "Compatibility aliases").

#include <gtest/gtest.h>

#include "api_json.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

class VaultAliases : public ::testing::Test {
 protected:
  VaultServer vault;
  Identity alice = vault.add_user("alice");
};

TEST_F(VaultAliases, CreateThroughEitherAliasGivesTheV1KeyShape) {
  for (std::string_view path : {"/api/api-keys", "/api/keys"}) {
    SCOPED_TRACE(std::string(path));
    const std::string name = path == "/api/keys" ? "via-keys" : "via-api-keys";
    auto response =
        vault.call(alice, "POST", path, body_of({{"provider", "openai"}, {"name", name}, {"secret", make_secret()}}));
    ASSERT_EQ(response.status, 201) << describe(response);
    auto key = object_of(response);
    EXPECT_TRUE(is_key_shape(key));
    EXPECT_EQ(str(key, "owner"), "user");
    EXPECT_EQ(get_key(vault, alice, "/api/v1/keys/" + str(key, "id")), key);
  }
}

TEST_F(VaultAliases, ListsAndGetAnswerExactlyLikeV1) {
  auto a = create_key(vault, alice, "openai", "a", make_secret(), {{"expires_at", rfc3339_in_days(3)}});
  create_key(vault, alice, "gemini", "b", make_secret("AIza"));

  const auto v1 = list_all(vault, alice, "/api/v1/keys");
  ASSERT_EQ(v1.size(), 2u);
  EXPECT_EQ(list_all(vault, alice, "/api/api-keys"), v1);
  EXPECT_EQ(list_all(vault, alice, "/api/keys"), v1);
  EXPECT_EQ(list_all(vault, alice, "/api/api-keys?provider=gemini"),
            list_all(vault, alice, "/api/v1/keys?provider=gemini"));

  const auto expiring = list_all(vault, alice, "/api/v1/keys/expiring?within_days=7");
  ASSERT_EQ(expiring.size(), 1u);
  EXPECT_EQ(list_all(vault, alice, "/api/keys/expiring?within_days=7"), expiring);

  EXPECT_EQ(get_key(vault, alice, "/api/api-keys/" + str(a, "id")),
            get_key(vault, alice, "/api/v1/keys/" + str(a, "id")));

  auto providers = vault.call(alice, "GET", "/api/v1/providers");
  auto alias_providers = vault.call(alice, "GET", "/api/api-keys/providers");
  ASSERT_EQ(alias_providers.status, 200) << alias_providers.body;
  EXPECT_EQ(object_of(alias_providers), object_of(providers));

  auto audit = vault.call(alice, "GET", "/api/v1/audit?limit=200");
  auto alias_audit = vault.call(alice, "GET", "/api/keys/audit?limit=200");
  ASSERT_EQ(alias_audit.status, 200) << alias_audit.body;
  EXPECT_EQ(object_of(alias_audit), object_of(audit));
}

TEST_F(VaultAliases, PatchRotateAndDeleteThroughAliasesAnswerLikeV1) {
  auto key = create_key(vault, alice, "openai", "aliased", make_secret());
  const std::string id = str(key, "id");

  auto patched = vault.call(alice, "PATCH", "/api/api-keys/" + id, R"({"priority":4})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_TRUE(is_key_shape(object_of(patched)));
  EXPECT_EQ(object_of(patched).at("priority"), 4);

  auto rotated = vault.call(alice, "POST", "/api/keys/" + id + "/rotate", body_of({{"secret", make_secret()}}));
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  EXPECT_TRUE(is_key_shape(object_of(rotated)));
  EXPECT_EQ(object_of(rotated).at("version"), 2);
  EXPECT_EQ(object_of(rotated), get_key(vault, alice, "/api/v1/keys/" + id));

  auto deleted = vault.call(alice, "DELETE", "/api/keys/" + id);
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_TRUE(is_api_error(vault.call(alice, "GET", "/api/api-keys/" + id), 404, "not_found"));

  auto other = create_key(vault, alice, "openai", "other", make_secret());
  auto deleted_too = vault.call(alice, "DELETE", "/api/api-keys/" + str(other, "id"));
  EXPECT_EQ(deleted_too.status, 204) << deleted_too.body;
  EXPECT_TRUE(list_all(vault, alice, "/api/v1/keys").empty());
}

TEST_F(VaultAliases, AliasErrorsUseTheApiErrorShape) {
  EXPECT_TRUE(
      is_api_error(vault.call(alice, "GET", "/api/api-keys/00000000-0000-7000-8000-000000000000"), 404, "not_found"));
  EXPECT_TRUE(is_api_error(vault.call(alice, "POST", "/api/keys", R"({"provider":"nope","secret":"x"})"), 400,
                           "invalid_request"));
  EXPECT_TRUE(is_api_error(vault.send("GET", "/api/api-keys", {}), 401, "unauthenticated"));
}

}  // namespace
}  // namespace keyrelay::test
