// Access tokens: who gets in (401 with WWW-Authenticate: Bearer otherwise), what scopes and roles
// allow (403 otherwise), revocation from the command line and the API, and service tokens acting
// on behalf of a user (API.md "Authentication", "Contract details: Scopes, Identity").

#include <gtest/gtest.h>

#include "api_json.h"
#include "support/deadline.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

class VaultAuth : public ::testing::Test {
 protected:
  VaultServer vault;
  Identity alice = vault.add_user("alice");
};

::testing::AssertionResult is_bearer_challenge(const HttpResponse& response) {
  if (auto error = is_api_error(response, 401, "unauthenticated"); !error) return error;
  auto challenge = response.header("WWW-Authenticate");
  if (challenge && (*challenge == "Bearer" || challenge->starts_with("Bearer "))) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "no WWW-Authenticate: Bearer in\n" << describe(response);
}

TEST_F(VaultAuth, NoTokenIs401WithABearerChallengeOnEveryManagementRoute) {
  for (std::string_view target :
       {"/api/v1/keys", "/api/v1/providers", "/api/v1/keys/expiring", "/api/v1/audit", "/api/v1/users",
        "/api/v1/tokens", "/api/v1/default-keys", "/api/api-keys", "/api/keys", "/api/keys/audit"}) {
    SCOPED_TRACE(std::string(target));
    EXPECT_TRUE(is_bearer_challenge(vault.send("GET", target, {})));
  }
  auto create = vault.send("POST", "/api/v1/keys", {{"Content-Type", "application/json"}},
                           body_of({{"provider", "openai"}, {"secret", make_secret()}}));
  EXPECT_TRUE(is_bearer_challenge(create));
  EXPECT_TRUE(list_all(vault, alice, "/api/v1/keys").empty());
}

TEST_F(VaultAuth, GarbageUnknownAndMalformedCredentialsAre401) {
  const std::vector<std::pair<std::string, std::string>> attempts = {
      {"garbage", "Bearer garbage"},
      {"unknown kr_ token", "Bearer kr_" + random_base64url(43)},
      {"a token with one character changed",
       "Bearer " + alice.token.substr(0, alice.token.size() - 1) + (alice.token.back() == 'A' ? "B" : "A")},
      {"empty bearer", "Bearer "},
      {"basic scheme", "Basic YWxpY2U6c2VjcmV0"},
      {"token without scheme", alice.token},
      {"three-part garbage", "Bearer aaa.bbb.ccc"},
  };
  for (const auto& [what, header] : attempts) {
    SCOPED_TRACE(what);
    EXPECT_TRUE(is_bearer_challenge(vault.send("GET", "/api/v1/keys", {{"Authorization", header}})));
  }
  EXPECT_EQ(vault.call(alice, "GET", "/api/v1/keys").status, 200) << "the real token still works";
}

TEST_F(VaultAuth, ATokenRevokedThroughTheApiIs401AtOnce) {
  auto second = vault.issue_token(alice, std::nullopt);
  ASSERT_EQ(vault.call(second, "GET", "/api/v1/keys").status, 200);
  auto revoked = vault.call(alice, "DELETE", "/api/v1/tokens/" + second.token_id);
  ASSERT_EQ(revoked.status, 204) << describe(revoked);
  EXPECT_TRUE(is_bearer_challenge(vault.call(second, "GET", "/api/v1/keys")));
  EXPECT_EQ(vault.call(alice, "GET", "/api/v1/keys").status, 200) << "only that token is revoked";
}

TEST_F(VaultAuth, AUserMayRevokeTheTokenInUse) {
  auto response = vault.call(alice, "DELETE", "/api/v1/tokens/" + alice.token_id);
  ASSERT_EQ(response.status, 204) << describe(response);
  EXPECT_TRUE(is_bearer_challenge(vault.call(alice, "GET", "/api/v1/keys")));
}

TEST_F(VaultAuth, AnotherUsersTokenCannotBeRevokedAndIsNotListed) {
  auto bob = vault.add_user("bob");
  auto response = vault.call(bob, "DELETE", "/api/v1/tokens/" + alice.token_id);
  EXPECT_TRUE(is_api_error(response, 404, "not_found"));
  EXPECT_EQ(vault.call(alice, "GET", "/api/v1/keys").status, 200) << "alice's token still works";
  auto bobs_tokens = list_all(vault, bob, "/api/v1/tokens");
  EXPECT_FALSE(contains_id(bobs_tokens, alice.token_id));
  EXPECT_TRUE(contains_id(bobs_tokens, bob.token_id));
  for (const auto& t : bobs_tokens) {
    EXPECT_EQ(str(t, "user_id"), bob.user_id);
    EXPECT_FALSE(t.contains("token")) << "a listed token never shows its text";
  }
}

TEST_F(VaultAuth, ACommandLineRevokeReachesTheRunningServerWithinTwoSeconds) {
  ASSERT_EQ(vault.call(alice, "GET", "/api/v1/keys").status, 200) << "the token is known (and cached)";
  auto revoke = vault.cli({"token", "revoke", alice.token_id});
  ASSERT_EQ(revoke.exit_status, 0) << revoke.output();
  const auto deadline = deadline_in(std::chrono::milliseconds{2000});
  int last_status = 0;
  const bool refused = poll_until(
      deadline,
      [&] {
        last_status = vault.call(alice, "GET", "/api/v1/keys").status;
        return last_status == 401;
      },
      std::chrono::milliseconds{50});
  EXPECT_TRUE(refused) << "still answered " << last_status << " two seconds after `keyrelay token revoke`";
}

TEST_F(VaultAuth, ATokenWithoutKeysWriteIsForbiddenToChangeKeysButMayRead) {
  auto key = create_key(vault, alice, "openai", "main", make_secret());
  auto reader = vault.issue_token(alice, "keys:read");
  const std::string path = "/api/v1/keys/" + str(key, "id");
  EXPECT_EQ(vault.call(reader, "GET", "/api/v1/keys").status, 200);
  EXPECT_EQ(vault.call(reader, "GET", path).status, 200);
  EXPECT_EQ(vault.call(reader, "GET", "/api/v1/providers").status, 200);
  for (const auto& [method, target, body] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"POST", "/api/v1/keys", body_of({{"provider", "openai"}, {"name", "x"}, {"secret", make_secret()}})},
           {"POST", "/api/keys", body_of({{"provider", "openai"}, {"name", "y"}, {"secret", make_secret()}})},
           {"PATCH", path, R"({"priority":1})"},
           {"POST", path + "/rotate", body_of({{"secret", make_secret()}})},
           {"DELETE", path, ""}}) {
    SCOPED_TRACE(method + " " + target);
    EXPECT_TRUE(is_api_error(vault.call(reader, method, target, body), 403, "forbidden"));
  }
  EXPECT_EQ(list_all(vault, alice, "/api/v1/keys"), std::vector<json::object>{get_key(vault, alice, path)});
  EXPECT_TRUE(is_api_error(vault.call(reader, "GET", "/api/v1/audit"), 403, "forbidden")) << "no audit:read";
}

TEST_F(VaultAuth, ATokenWithoutKeysReadCannotListKeys) {
  auto writer = vault.issue_token(alice, "keys:write");
  EXPECT_TRUE(is_api_error(vault.call(writer, "GET", "/api/v1/keys"), 403, "forbidden"));
  auto auditor = vault.issue_token(alice, "audit:read");
  EXPECT_TRUE(is_api_error(vault.call(auditor, "GET", "/api/v1/keys"), 403, "forbidden"));
  EXPECT_EQ(vault.call(auditor, "GET", "/api/v1/audit").status, 200);
}

TEST_F(VaultAuth, ANonAdminIsForbiddenUsersAndTokenIssuing) {
  EXPECT_TRUE(is_api_error(vault.call(alice, "GET", "/api/v1/users"), 403, "forbidden"));
  EXPECT_TRUE(is_api_error(vault.call(alice, "POST", "/api/v1/users", R"({"name":"mallory"})"), 403, "forbidden"));
  EXPECT_TRUE(is_api_error(vault.call(alice, "POST", "/api/v1/users", R"({"name":"mallory","role":"admin"})"), 403,
                           "forbidden"));
  EXPECT_TRUE(is_api_error(vault.call(alice, "POST", "/api/v1/tokens", body_of({{"user_id", vault.admin().user_id}})), 403,
                           "forbidden"));
  EXPECT_TRUE(
      is_api_error(vault.call(alice, "GET", "/api/v1/tokens?user_id=" + vault.admin().user_id), 403, "forbidden"));
  auto users = list_all(vault, vault.admin(), "/api/v1/users");
  for (const auto& u : users) EXPECT_NE(str(u, "name"), "mallory");
}

TEST_F(VaultAuth, AnAdminCreatesUsersAndIssuesTokensThatWork) {
  auto created = vault.call(vault.admin(), "POST", "/api/v1/users", R"({"name":"carol"})");
  ASSERT_EQ(created.status, 201) << created.body;
  auto carol = object_of(created);
  EXPECT_EQ(str(carol, "name"), "carol");
  EXPECT_EQ(str(carol, "role"), "user");
  auto issued = vault.call(vault.admin(), "POST", "/api/v1/tokens", body_of({{"user_id", str(carol, "id")}}));
  ASSERT_EQ(issued.status, 201) << issued.body;
  auto token = object_of(issued);
  ASSERT_TRUE(str(token, "token").starts_with("kr_")) << issued.body;
  Identity as_carol{str(carol, "id"), "carol", str(token, "token"), str(token, "id")};
  EXPECT_EQ(vault.call(as_carol, "GET", "/api/v1/keys").status, 200);
  EXPECT_TRUE(is_api_error(vault.call(as_carol, "GET", "/api/v1/users"), 403, "forbidden"));
}

class VaultActAs : public VaultAuth {
 protected:
  Identity service = vault.add_user("billing-service", false, "act_as,keys:read,keys:write");
  HeaderList for_alice = {{"X-Keyrelay-On-Behalf-Of", alice.user_id}};
};

TEST_F(VaultActAs, AServiceTokenCreatesAKeyThatTheUserThenSees) {
  auto response =
      vault.call(service, "POST", "/api/v1/keys",
                 body_of({{"provider", "openai"}, {"name", "from-service"}, {"secret", make_secret()}}), for_alice);
  ASSERT_EQ(response.status, 201) << describe(response);
  auto key = object_of(response);
  EXPECT_EQ(str(key, "owner"), "user");

  EXPECT_EQ(ids_of(list_all(vault, alice, "/api/v1/keys")), std::vector<std::string>{str(key, "id")});
  EXPECT_TRUE(list_all(vault, service, "/api/v1/keys").empty()) << "the key is alice's, not the service's";
  auto as_alice = vault.call(service, "GET", "/api/v1/keys", {}, for_alice);
  ASSERT_EQ(as_alice.status, 200) << as_alice.body;
  EXPECT_EQ(object_of(as_alice).at("data").as_array().size(), 1u);
}

TEST_F(VaultActAs, TheAuditRecordsTheServiceAsActorAndTheUserAsOnBehalfOf) {
  auto key = create_key(vault, service, "openai", "from-service", make_secret());  // its own, for contrast
  auto response =
      vault.call(service, "POST", "/api/v1/keys",
                 body_of({{"provider", "openai"}, {"name", "for-alice"}, {"secret", make_secret()}}), for_alice);
  ASSERT_EQ(response.status, 201) << response.body;
  const std::string key_id = str(object_of(response), "id");

  for (const Identity* reader : std::initializer_list<const Identity*>{&vault.admin(), &alice}) {
    SCOPED_TRACE(reader->name);
    auto events = audit_events(vault, *reader, "key_id=" + key_id);
    ASSERT_EQ(events.size(), 1u);
    const auto& e = events[0];
    EXPECT_EQ(str(e, "action"), "key.created");
    EXPECT_EQ(str(e.at("actor").as_object(), "user_id"), service.user_id);
    EXPECT_EQ(str(e.at("actor").as_object(), "token_id"), service.token_id);
    EXPECT_EQ(str(e, "on_behalf_of"), alice.user_id);
  }
  EXPECT_TRUE(audit_events(vault, alice, "key_id=" + str(key, "id")).empty());
}

TEST_F(VaultActAs, TheOnBehalfOfHeaderWithoutActAsScopeIsForbidden) {
  auto bob = vault.add_user("bob");
  auto response =
      vault.call(bob, "POST", "/api/v1/keys",
                 body_of({{"provider", "openai"}, {"name", "sneaky"}, {"secret", make_secret()}}), for_alice);
  EXPECT_TRUE(is_api_error(response, 403, "forbidden"));
  EXPECT_TRUE(is_api_error(vault.call(bob, "GET", "/api/v1/keys", {}, for_alice), 403, "forbidden"));
  EXPECT_TRUE(list_all(vault, alice, "/api/v1/keys").empty());
  EXPECT_TRUE(list_all(vault, bob, "/api/v1/keys").empty());
}

TEST_F(VaultActAs, ActingOnBehalfOfAnAdminIsForbidden) {
  auto response = vault.call(service, "POST", "/api/v1/keys",
                             body_of({{"provider", "openai"}, {"name", "escalate"}, {"secret", make_secret()}}),
                             {{"X-Keyrelay-On-Behalf-Of", vault.admin().user_id}});
  EXPECT_TRUE(is_api_error(response, 403, "forbidden"));
  EXPECT_TRUE(is_api_error(
      vault.call(service, "GET", "/api/v1/users", {}, {{"X-Keyrelay-On-Behalf-Of", vault.admin().user_id}}), 403,
      "forbidden"));
  EXPECT_TRUE(list_all(vault, vault.admin(), "/api/v1/keys").empty());
}

TEST_F(VaultActAs, ActingForAUserNeverManagesUsersOrTokens) {
  // An admin's act_as token acting for alice gets at most alice's scopes.
  auto admin_service = vault.issue_token(vault.admin(), "act_as,admin,keys:read,keys:write");
  EXPECT_TRUE(is_api_error(vault.call(admin_service, "GET", "/api/v1/users", {}, for_alice), 403, "forbidden"));
  EXPECT_TRUE(is_api_error(vault.call(admin_service, "POST", "/api/v1/users", R"({"name":"via-act-as"})", for_alice),
                           403, "forbidden"));
  EXPECT_TRUE(is_api_error(
      vault.call(admin_service, "POST", "/api/v1/tokens", body_of({{"user_id", alice.user_id}}), for_alice), 403,
      "forbidden"));
}

TEST_F(VaultActAs, ActingForAUserNeitherListsNorRevokesTheirTokens) {
  // API.md: act_as "never manages users or tokens" — a user's tokens are the user's own business.
  auto listed = vault.call(service, "GET", "/api/v1/tokens", {}, for_alice);
  EXPECT_TRUE(is_api_error(listed, 403, "forbidden")) << listed.status << " " << listed.body;
  auto revoked = vault.call(service, "DELETE", "/api/v1/tokens/" + alice.token_id, {}, for_alice);
  EXPECT_TRUE(is_api_error(revoked, 403, "forbidden")) << revoked.status << " " << revoked.body;
  EXPECT_EQ(vault.call(alice, "GET", "/api/v1/keys").status, 200) << "alice's token still works";
  // Without the header the service still lists its own tokens, like any caller.
  auto own = vault.call(service, "GET", "/api/v1/tokens");
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(ids_of(list_all(vault, service, "/api/v1/tokens")), std::vector<std::string>{service.token_id});
}

}  // namespace
}  // namespace keyrelay::test
