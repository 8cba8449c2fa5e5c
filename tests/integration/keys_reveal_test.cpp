// Trusted services that must hold a key themselves (issue 16 item 4): a token with the
// keys:reveal scope, issued by an admin for listed providers, gets a key's plaintext from
// POST /api/v1/keys/{id}/reveal — once per call, rate limited per token, audited as key.revealed
// and alerted to the key's owner. Default tokens cannot reveal, a non-admin cannot issue such a
// token, a provider outside the list is refused, and the secret never reaches a log or the audit.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api_json.h"
#include "support/deadline.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

class KeysReveal : public ::testing::Test {
 protected:
  KeysReveal() {
    openai_key = create_key(vault, alice, "openai", "main", openai_secret);
    anthropic_key = create_key(vault, alice, "anthropic", "other", anthropic_secret);
  }

  // POST /api/v1/tokens as `issuer` with `fields` added to alice's user id.
  HttpResponse issue(const Identity& issuer, json::object fields) {
    fields["user_id"] = alice.user_id;
    return vault.call(issuer, "POST", "/api/v1/tokens", body_of(fields));
  }
  // A keys:reveal token of alice's for `providers`, issued by the admin.
  Identity reveal_token(json::array providers) {
    auto issued = issue(vault.admin(), {{"name", "payments-service"},
                                        {"scopes", json::array{"keys:reveal"}},
                                        {"reveal_providers", std::move(providers)}});
    if (issued.status != 201) throw std::runtime_error("token issue: " + issued.body);
    auto token = json::parse(issued.body).as_object();
    return Identity{alice.user_id, "alice", str(token, "token"), str(token, "id")};
  }
  HttpResponse reveal(const Identity& who, const json::object& key) {
    return vault.call(who, "POST", "/api/v1/keys/" + str(key, "id") + "/reveal");
  }

  VaultServer vault{VaultServer::Options{{{"KEYRELAY_RATE_LIMIT_REVEALS", "3/1h"}}}};
  Identity alice = vault.add_user("alice");
  const std::string openai_secret = make_secret();
  const std::string anthropic_secret = make_secret("sk-ant-api03-");
  json::object openai_key, anthropic_key;
};

TEST_F(KeysReveal, ARevealTokenGetsThePlaintextAndTheOwnerIsToldAndItIsAudited) {
  auto issued = issue(vault.admin(), {{"scopes", json::array{"keys:reveal"}}, {"reveal_providers", json::array{"openai"}}});
  ASSERT_EQ(issued.status, 201) << issued.body;
  auto token = json::parse(issued.body).as_object();
  EXPECT_EQ(json::serialize(token.at("scopes")), R"(["keys:reveal"])");
  EXPECT_EQ(json::serialize(token.at("reveal_providers")), R"(["openai"])");

  const Identity service = reveal_token({"openai"});
  auto revealed = reveal(service, openai_key);
  ASSERT_EQ(revealed.status, 200) << revealed.body;
  EXPECT_TRUE(has_json_content_type(revealed));
  auto body = json::parse(revealed.body).as_object();
  EXPECT_EQ(body.size(), 3u) << revealed.body;
  EXPECT_EQ(str(body, "id"), str(openai_key, "id"));
  EXPECT_EQ(str(body, "provider"), "openai");
  EXPECT_EQ(str(body, "secret"), openai_secret);
  EXPECT_EQ(reveal(service, openai_key).status, 200) << "once per call: a second call reveals again";

  auto events = audit_events(vault, vault.admin(), "action=key.revealed");
  ASSERT_EQ(events.size(), 2u);
  for (const auto& e : events) {
    EXPECT_EQ(str(e, "outcome"), "success");
    EXPECT_EQ(str(e, "key_id"), str(openai_key, "id"));
    EXPECT_EQ(str(e.at("actor").as_object(), "token_id"), service.token_id);
  }
  // The alert is raised off the request path.
  const bool alerted = poll_until(deadline_in(std::chrono::seconds(10)), [&] {
    for (const auto& a : list_page(vault, alice, "/api/v1/alerts"))
      if (str(a, "rule") == "key.revealed" && str(a, "key_id") == str(openai_key, "id")) return true;
    return false;
  });
  EXPECT_TRUE(alerted) << "the owner hears of it";

  // The secret went out in the two answers and nowhere else.
  for (const auto& e : audit_events(vault, vault.admin())) EXPECT_EQ(json::serialize(e).find(openai_secret), std::string::npos);
  EXPECT_EQ(vault.logs().find(openai_secret), std::string::npos);
}

TEST_F(KeysReveal, DefaultTokensCannotReveal) {
  EXPECT_TRUE(is_api_error(reveal(alice, openai_key), 403, "forbidden")) << "the owner's own default token";
  EXPECT_TRUE(is_api_error(vault.call(vault.admin(), "POST", "/api/v1/keys/" + str(openai_key, "id") + "/reveal"), 403,
                           "forbidden"))
      << "not even the init admin token";
  auto everything = issue(vault.admin(), {{"scopes", json::array{"keys:read", "keys:write", "gateway", "audit:read"}}});
  ASSERT_EQ(everything.status, 201);
  const Identity plain{alice.user_id, "alice", str(json::parse(everything.body).as_object(), "token"), ""};
  EXPECT_TRUE(is_api_error(reveal(plain, openai_key), 403, "forbidden"));
  EXPECT_TRUE(audit_events(vault, vault.admin(), "action=key.revealed").empty());
}

TEST_F(KeysReveal, ActingOnBehalfOfAUserNeverReveals) {
  // A service token of its own user, with act_as and keys:reveal, acting for alice.
  const Identity service_user = vault.add_user("svc");
  auto issued = vault.call(vault.admin(), "POST", "/api/v1/tokens",
                           body_of({{"user_id", service_user.user_id},
                                    {"scopes", json::array{"act_as", "keys:read", "keys:reveal"}},
                                    {"reveal_providers", json::array{"openai"}}}));
  ASSERT_EQ(issued.status, 201) << issued.body;
  const Identity service{service_user.user_id, "svc", str(json::parse(issued.body).as_object(), "token"), ""};
  const HeaderList for_alice = {{"X-Keyrelay-On-Behalf-Of", alice.user_id}};
  ASSERT_EQ(vault.call(service, "GET", "/api/v1/keys/" + str(openai_key, "id"), {}, for_alice).status, 200)
      << "acting for alice works";
  auto refused = vault.call(service, "POST", "/api/v1/keys/" + str(openai_key, "id") + "/reveal", {}, for_alice);
  EXPECT_TRUE(is_api_error(refused, 403, "forbidden")) << refused.body;
}

TEST_F(KeysReveal, OnlyAnAdminIssuesARevealTokenAndOnlyWithKnownProviders) {
  const Identity bob = vault.add_user("bob");
  auto by_user = issue(bob, {{"scopes", json::array{"keys:reveal"}}, {"reveal_providers", json::array{"openai"}}});
  EXPECT_TRUE(is_api_error(by_user, 403, "forbidden")) << by_user.body;
  auto no_providers = issue(vault.admin(), {{"scopes", json::array{"keys:reveal"}}});
  EXPECT_TRUE(is_api_error(no_providers, 400, "invalid_request")) << no_providers.body;
  auto no_scope = issue(vault.admin(), {{"scopes", json::array{"keys:read"}}, {"reveal_providers", json::array{"openai"}}});
  EXPECT_TRUE(is_api_error(no_scope, 400, "invalid_request")) << no_scope.body;
  auto unknown = issue(vault.admin(), {{"scopes", json::array{"keys:reveal"}}, {"reveal_providers", json::array{"nope"}}});
  EXPECT_TRUE(is_api_error(unknown, 400, "invalid_request")) << unknown.body;
  auto by_cli = vault.cli({"token", "issue", "--user", "alice", "--scopes", "keys:reveal", "--reveal-providers",
                           "openai, anthropic", "--json"});
  ASSERT_EQ(by_cli.exit_status, 0) << by_cli.output();
  EXPECT_EQ(json::serialize(json::parse(by_cli.out).at("reveal_providers")), R"(["anthropic","openai"])");
}

TEST_F(KeysReveal, AProviderOutsideTheListOrAnotherUsersKeyIsRefused) {
  const Identity service = reveal_token({"openai"});
  auto refused = reveal(service, anthropic_key);
  EXPECT_TRUE(is_api_error(refused, 403, "forbidden")) << refused.body;
  EXPECT_EQ(refused.body.find(anthropic_secret), std::string::npos);
  auto events = audit_events(vault, vault.admin(), "action=key.revealed");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(str(events[0], "outcome"), "failure");

  const Identity bob = vault.add_user("bob");
  auto bobs = create_key(vault, bob, "openai", "bobs", make_secret());
  EXPECT_TRUE(is_api_error(reveal(service, bobs), 404, "not_found"));
}

TEST_F(KeysReveal, RevealsAreRateLimitedPerToken) {
  const Identity first = reveal_token({"openai"});
  for (int i = 0; i < 3; ++i) ASSERT_EQ(reveal(first, openai_key).status, 200) << i;
  auto limited = reveal(first, openai_key);
  EXPECT_TRUE(is_api_error(limited, 429, "rate_limited")) << limited.body;
  EXPECT_EQ(limited.body.find(openai_secret), std::string::npos);
  const Identity second = reveal_token({"openai"});
  EXPECT_EQ(reveal(second, openai_key).status, 200) << "each token has its own budget";
  EXPECT_EQ(audit_events(vault, vault.admin(), "action=key.revealed").size(), 4u);
}

}  // namespace
}  // namespace keyrelay::test
