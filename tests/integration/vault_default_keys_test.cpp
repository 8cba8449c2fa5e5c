// The operator's default (fallback) keys under /api/v1/default-keys: admin only, the same shapes
// as /keys with owner "default", and never mixed into anyone's own key list. API.md.

#include <gtest/gtest.h>

#include "api_json.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

class VaultDefaultKeys : public ::testing::Test {
 protected:
  VaultServer vault;
  Identity alice = vault.add_user("alice");
};

TEST_F(VaultDefaultKeys, AnAdminCreatesADefaultKeyWithOwnerDefault) {
  auto response = vault.call(vault.admin(), "POST", "/api/v1/default-keys",
                             body_of({{"provider", "openai"}, {"name", "fallback"}, {"secret", make_secret()}}));
  ASSERT_EQ(response.status, 201) << describe(response);
  auto key = object_of(response);
  EXPECT_TRUE(is_key_shape(key));
  EXPECT_EQ(str(key, "owner"), "default");
  EXPECT_EQ(str(key, "status"), "active");
  EXPECT_EQ(key.at("version"), 1);

  auto listed = list_all(vault, vault.admin(), "/api/v1/default-keys");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0], key);
  EXPECT_EQ(get_key(vault, vault.admin(), "/api/v1/default-keys/" + str(key, "id")), key);
}

TEST_F(VaultDefaultKeys, DefaultKeysAreNotListedAmongAnyonesOwnKeys) {
  auto fallback = create_key(vault, vault.admin(), "openai", "fallback", make_secret(), {}, "/api/v1/default-keys");
  auto own = create_key(vault, vault.admin(), "openai", "mine", make_secret());
  auto alices = create_key(vault, alice, "openai", "hers", make_secret());

  const std::string id = str(fallback, "id");
  EXPECT_EQ(ids_of(list_all(vault, vault.admin(), "/api/v1/keys")), std::vector<std::string>{str(own, "id")});
  EXPECT_EQ(ids_of(list_all(vault, alice, "/api/v1/keys")), std::vector<std::string>{str(alices, "id")});
  EXPECT_EQ(ids_of(list_all(vault, vault.admin(), "/api/v1/default-keys")), std::vector<std::string>{id});
  for (const Identity* who : std::initializer_list<const Identity*>{&vault.admin(), &alice}) {
    EXPECT_FALSE(contains_id(list_all(vault, *who, "/api/api-keys"), id));
    EXPECT_FALSE(contains_id(list_all(vault, *who, "/api/keys"), id));
    EXPECT_TRUE(is_api_error(vault.call(*who, "GET", "/api/v1/keys/" + id), 404, "not_found"))
        << "a default key is not reachable as an own key";
  }
}

TEST_F(VaultDefaultKeys, DefaultKeysPatchRotateAndDeleteLikeOwnKeys) {
  auto key = create_key(vault, vault.admin(), "anthropic", "fallback", make_secret("sk-ant-"),
                        {{"expires_at", rfc3339_in_days(2)}}, "/api/v1/default-keys");
  const std::string path = "/api/v1/default-keys/" + str(key, "id");

  auto patched = vault.call(vault.admin(), "PATCH", path, R"({"priority":7,"enabled":false})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(object_of(patched).at("priority"), 7);
  EXPECT_EQ(str(object_of(patched), "status"), "disabled");
  EXPECT_EQ(str(object_of(patched), "owner"), "default");

  auto rotated = vault.call(vault.admin(), "POST", path + "/rotate", body_of({{"secret", make_secret("sk-ant-")}}));
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  EXPECT_EQ(object_of(rotated).at("version"), 2);

  EXPECT_TRUE(
      contains_id(list_all(vault, vault.admin(), "/api/v1/default-keys/expiring?within_days=7"), str(key, "id")));
  EXPECT_TRUE(list_all(vault, vault.admin(), "/api/v1/keys/expiring?within_days=7").empty());

  auto deleted = vault.call(vault.admin(), "DELETE", path);
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_TRUE(is_api_error(vault.call(vault.admin(), "GET", path), 404, "not_found"));
  EXPECT_TRUE(list_all(vault, vault.admin(), "/api/v1/default-keys").empty());
}

TEST_F(VaultDefaultKeys, ANonAdminIsForbiddenEveryDefaultKeyRoute) {
  auto key = create_key(vault, vault.admin(), "openai", "fallback", make_secret(), {}, "/api/v1/default-keys");
  const std::string path = "/api/v1/default-keys/" + str(key, "id");
  struct Route {
    std::string method, target, body;
  };
  const std::string create_body = body_of({{"provider", "openai"}, {"name", "x"}, {"secret", make_secret()}});
  for (const auto& r : {Route{"GET", "/api/v1/default-keys", ""}, Route{"POST", "/api/v1/default-keys", create_body},
                        Route{"GET", "/api/v1/default-keys/expiring", ""}, Route{"GET", path, ""},
                        Route{"PATCH", path, R"({"priority":1})"}, Route{"DELETE", path, ""},
                        Route{"POST", path + "/rotate", body_of({{"secret", make_secret()}})}}) {
    SCOPED_TRACE(r.method + " " + r.target);
    EXPECT_TRUE(is_api_error(vault.call(alice, r.method, r.target, r.body), 403, "forbidden"));
  }
  EXPECT_EQ(list_all(vault, vault.admin(), "/api/v1/default-keys"),
            std::vector<json::object>{get_key(vault, vault.admin(), path)});
}

}  // namespace
}  // namespace keyrelay::test
