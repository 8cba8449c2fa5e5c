// JWTs from an external identity provider (HS256 here): a valid one is accepted and its `sub`
// becomes a user on first sight, once; an expired, mis-addressed, unsigned or wrongly signed one is
// 401 (API.md "Authentication", "Contract details: Identity"). Tokens are minted by PyJWT.

#include <gtest/gtest.h>

#include <chrono>

#include "api_json.h"
#include "support/keyrelay_command.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

constexpr std::string_view kSecret = "vault-jwt-test-secret-0123456789abcdefghij";
constexpr std::string_view kIssuer = "https://id.example.test/";
constexpr std::string_view kAudience = "keyrelay-vault-tests";

// Prints a JWT for the claims (argv[1], JSON) signed with argv[2] under algorithm argv[3];
// "none" builds an unsigned token by hand, since PyJWT refuses to mix a key with it.
constexpr std::string_view kMintScript = R"py(
import base64, json, sys
import jwt
claims, key, alg = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
if alg == "none":
    enc = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
    print(enc(json.dumps({"alg": "none", "typ": "JWT"}).encode()) + "." + enc(json.dumps(claims).encode()) + ".")
else:
    print(jwt.encode(claims, key, algorithm=alg))
)py";

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Claims for `sub` that the server accepts; tests change one of them.
json::object good_claims(std::string_view sub) {
  const auto now = unix_now();
  return {{"iss", kIssuer}, {"aud", kAudience}, {"sub", sub},
          {"iat", now},     {"exp", now + 600}, {"jti", random_base64url(16)}};
}

std::string mint(const json::object& claims, std::string_view key = kSecret, std::string_view alg = "HS256") {
  TempDir dir;
  Process python(
      {"/usr/bin/python3", "-c", std::string(kMintScript), body_of(claims), std::string(key), std::string(alg)}, {},
      dir.path(), dir.path());
  auto status = python.wait_for_exit(deadline_in(std::chrono::milliseconds{20000}));
  if (status != 0) throw std::runtime_error("minting a JWT failed:\n" + python.output_text());
  std::string token = python.stdout_text();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  return token;
}

Identity bearer(std::string jwt) { return Identity{"", "", std::move(jwt), ""}; }

class VaultJwt : public ::testing::Test {
 protected:
  VaultServer vault{VaultServer::Options{{{"KEYRELAY_JWT_SECRET", std::string(kSecret)},
                                          {"KEYRELAY_JWT_ISSUER", std::string(kIssuer)},
                                          {"KEYRELAY_JWT_AUDIENCE", std::string(kAudience)}}}};

  // Users whose external_id names `sub`.
  std::vector<json::object> users_with_subject(std::string_view sub) {
    std::vector<json::object> found;
    for (auto& u : list_all(vault, vault.admin(), "/api/v1/users")) {
      const auto* external = u.if_contains("external_id");
      if (external != nullptr && external->is_string() && std::string_view(external->get_string()).ends_with(sub))
        found.push_back(u);
    }
    return found;
  }
};

TEST_F(VaultJwt, AValidTokenIsAcceptedAndItsSubjectBecomesAUserOnce) {
  auto first = bearer(mint(good_claims("auth0|alice-42")));
  auto listed = vault.call(first, "GET", "/api/v1/keys");
  ASSERT_EQ(listed.status, 200) << describe(listed);
  auto key = create_key(vault, first, "openai", "from-jwt", make_secret());

  auto users = users_with_subject("auth0|alice-42");
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(str(users[0], "role"), "user");
  EXPECT_TRUE(str(users[0], "name").starts_with("jwt-")) << body_of(users[0]);
  EXPECT_NE(str(users[0], "external_id").find(kIssuer), std::string::npos) << "external_id is iss + sub";

  // A second, freshly minted token for the same subject is the same user.
  auto second = bearer(mint(good_claims("auth0|alice-42")));
  ASSERT_NE(second.token, first.token);
  EXPECT_EQ(ids_of(list_all(vault, second, "/api/v1/keys")), std::vector<std::string>{str(key, "id")});
  ASSERT_EQ(users_with_subject("auth0|alice-42").size(), 1u);
  EXPECT_EQ(str(users_with_subject("auth0|alice-42")[0], "id"), str(users[0], "id"));

  auto created = audit_events(vault, vault.admin(), "action=user.created");
  int for_subject = 0;
  for (const auto& e : created) for_subject += str(e.at("actor").as_object(), "user_id") == str(users[0], "id");
  EXPECT_EQ(for_subject, 1) << "one user.created event";
  for (const auto& e : audit_events(vault, vault.admin(), "key_id=" + str(key, "id"))) {
    EXPECT_EQ(str(e.at("actor").as_object(), "kind"), "jwt");
    EXPECT_EQ(str(e.at("actor").as_object(), "user_id"), str(users[0], "id"));
  }
}

TEST_F(VaultJwt, TwoSubjectsAreTwoUsersWhoCannotSeeEachOthersKeys) {
  auto alice = bearer(mint(good_claims("alice")));
  auto bob = bearer(mint(good_claims("bob")));
  auto key = create_key(vault, alice, "openai", "hers", make_secret());
  EXPECT_TRUE(list_all(vault, bob, "/api/v1/keys").empty());
  EXPECT_TRUE(is_api_error(vault.call(bob, "GET", "/api/v1/keys/" + str(key, "id")), 404, "not_found"));
  EXPECT_EQ(users_with_subject("alice").size(), 1u);
  EXPECT_EQ(users_with_subject("bob").size(), 1u);
}

TEST_F(VaultJwt, AJwtUserIsARegularUserWithoutAdminRights) {
  auto user = bearer(mint(good_claims("plain-user")));
  EXPECT_TRUE(is_api_error(vault.call(user, "GET", "/api/v1/users"), 403, "forbidden"));
  EXPECT_TRUE(is_api_error(vault.call(user, "GET", "/api/v1/default-keys"), 403, "forbidden"));
  auto with_admin_claim = good_claims("wants-admin");
  with_admin_claim["role"] = "admin";
  with_admin_claim["scope"] = "admin";
  EXPECT_TRUE(is_api_error(vault.call(bearer(mint(with_admin_claim)), "GET", "/api/v1/users"), 403, "forbidden"));
}

TEST_F(VaultJwt, BadTokensAre401AndCreateNoUser) {
  struct Case {
    std::string what;
    std::string token;
  };
  auto expired = good_claims("expired");
  expired["iat"] = unix_now() - 7200;
  expired["exp"] = unix_now() - 3600;
  auto wrong_audience = good_claims("wrong-audience");
  wrong_audience["aud"] = "someone-else";
  auto wrong_issuer = good_claims("wrong-issuer");
  wrong_issuer["iss"] = "https://evil.example.test/";
  auto not_yet = good_claims("not-yet");
  not_yet["nbf"] = unix_now() + 3600;
  std::string tampered = mint(good_claims("tampered"));
  char& changed = tampered[tampered.find('.') + 5];  // one payload character, signature kept
  changed = changed == 'A' ? 'B' : 'A';

  const std::vector<Case> cases = {
      {"expired", mint(expired)},
      {"wrong audience", mint(wrong_audience)},
      {"wrong issuer", mint(wrong_issuer)},
      {"not valid before", mint(not_yet)},
      {"alg none", mint(good_claims("alg-none"), "", "none")},
      {"signed with another secret", mint(good_claims("other-secret"), "another-secret-of-at-least-32-chars-xyz")},
      {"tampered payload", tampered},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto response = vault.call(bearer(c.token), "GET", "/api/v1/keys");
    EXPECT_TRUE(is_api_error(response, 401, "unauthenticated"));
    auto challenge = response.header("WWW-Authenticate");
    EXPECT_TRUE(challenge && challenge->starts_with("Bearer")) << describe(response);
  }
  for (const char* sub :
       {"expired", "wrong-audience", "wrong-issuer", "not-yet", "alg-none", "other-secret", "tampered"})
    EXPECT_TRUE(users_with_subject(sub).empty()) << sub;
}

TEST(VaultJwtSettings, JwtVerificationWithoutIssuerOrAudienceIsRefusedAtStartNamingTheSetting) {
  // Without an issuer any identity provider's tokens signed with the key would be taken, and
  // without an audience a token made for another application would be.
  auto refused = [](const Environment& jwt) {
    Environment env = {{"KEYRELAY_LISTEN", "127.0.0.1:0"}};
    env.insert(jwt.begin(), jwt.end());
    return run_keyrelay({"serve"}, env);
  };
  const std::string secret(kSecret);
  auto no_issuer = refused({{"KEYRELAY_JWT_SECRET", secret}, {"KEYRELAY_JWT_AUDIENCE", std::string(kAudience)}});
  EXPECT_EQ(no_issuer.exit_status, 1) << no_issuer.output();
  EXPECT_NE(no_issuer.output().find("KEYRELAY_JWT_ISSUER"), std::string::npos) << no_issuer.output();

  auto no_audience = refused({{"KEYRELAY_JWT_SECRET", secret}, {"KEYRELAY_JWT_ISSUER", std::string(kIssuer)}});
  EXPECT_EQ(no_audience.exit_status, 1) << no_audience.output();
  EXPECT_NE(no_audience.output().find("KEYRELAY_JWT_AUDIENCE"), std::string::npos) << no_audience.output();

  TempDir dir;
  const auto jwks = dir.write_file("jwks.json", R"({"keys":[]})");
  auto jwks_only = refused({{"KEYRELAY_JWT_JWKS_FILE", jwks.string()}});
  EXPECT_EQ(jwks_only.exit_status, 1) << jwks_only.output();
  EXPECT_NE(jwks_only.output().find("KEYRELAY_JWT_ISSUER"), std::string::npos) << jwks_only.output();
}

}  // namespace
}  // namespace keyrelay::test
