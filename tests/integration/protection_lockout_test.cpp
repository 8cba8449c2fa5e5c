// The IP lockout after failed authentications (issue 12, item 8; API.md "an IP lockout refuses only
// unauthenticated or failing attempts, never a valid token"). Behind a load balancer without
// KEYRELAY_TRUSTED_PROXIES every user shares one address, so a lockout that refused valid tokens
// would lock everyone out. Credentials are checked first; the lockout answers only for missing or
// failing ones — and then with 429, not 401, so guessing stays pointless while it lasts.

#include <gtest/gtest.h>

#include "api_json.h"
#include "gateway_harness.h"
#include "raw_database.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

Environment lockout_env() {
  // A long block: nothing in these tests may pass merely because the block ran out.
  return {{"KEYRELAY_RATE_LIMIT_AUTH_FAILURES", "3/1m"}, {"KEYRELAY_RATE_LIMIT_AUTH_BLOCK", "15m"}};
}

// Empty bearers from the test's address until it is refused (the 4th failure blocks it).
void lock_out(VaultServer& vault) {
  for (int i = 0; i < 4; ++i) vault.send("GET", "/api/v1/keys", {{"Authorization", "Bearer "}});
  ASSERT_TRUE(is_api_error(vault.send("GET", "/api/v1/keys", {{"Authorization", "Bearer "}}), 429, "rate_limited"))
      << "the address should be locked out now";
}

TEST(Lockout, AValidTokenIsServedWhileItsAddressIsLockedOut) {
  Gateway gw(lockout_env());
  gw.add_key(gw.alice, "openai", "valid");
  lock_out(gw.vault);

  // Management, /v1 and /proxy all authenticate through the same function.
  auto keys = gw.vault.call(gw.alice, "GET", "/api/v1/keys");
  EXPECT_EQ(keys.status, 200) << describe(keys);
  auto chat = gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini"));
  EXPECT_EQ(chat.status, 200) << describe(chat);
  auto proxied = gw.vault.call(gw.alice, "POST", "/proxy/openai/chat/completions",
                               body_of(Gateway::chat_body("gpt-4o-mini")));
  EXPECT_EQ(proxied.status, 200) << describe(proxied);
  // A token of another user, never seen before on this server (not in the token cache), too.
  const Identity bob = gw.vault.add_user("bob");
  auto bobs = gw.vault.call(bob, "GET", "/api/v1/keys");
  EXPECT_EQ(bobs.status, 200) << describe(bobs);
}

TEST(Lockout, ALockedOutAddressGets429ForMissingMalformedOrUnknownCredentials) {
  VaultServer vault({.env = lockout_env()});
  const Identity alice = vault.add_user("alice");
  lock_out(vault);
  const std::string unknown = "kr_" + std::string(43, 'A');
  for (const HeaderList& headers : std::vector<HeaderList>{{},
                                                           {{"Authorization", "Bearer not-a-token"}},
                                                           {{"Authorization", "Basic YWxpY2U6c2VjcmV0"}},
                                                           {{"Authorization", "Bearer " + unknown}}}) {
    auto r = vault.send("GET", "/api/v1/keys", headers);
    EXPECT_TRUE(is_api_error(r, 429, "rate_limited")) << describe(r);
    EXPECT_TRUE(r.has_header("Retry-After")) << describe(r);
  }
  // On the gateway routes as well.
  auto chat = vault.send("POST", "/v1/chat/completions", {{"Authorization", "Bearer " + unknown}, {"Content-Type", "application/json"}},
                         R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(chat.status, 429) << describe(chat);
  auto proxied = vault.send("GET", "/proxy/openai/models", {{"Authorization", "Bearer " + unknown}});
  EXPECT_EQ(proxied.status, 429) << describe(proxied);
  // And alice is still served.
  EXPECT_EQ(vault.call(alice, "GET", "/api/v1/keys").status, 200);

  // Only what could be a valid credential reached the authenticator (the one component that looks
  // tokens up; each failure it sees is counted in auth.failed): the 4 failures before the lockout
  // and the 3 unknown tokens after it — not the malformed ones, refused without a lookup.
  vault.stop();
  EXPECT_EQ(RawDatabase(vault.database_file())
                .value("SELECT SUM(json_extract(details_json, '$.count')) FROM audit_log WHERE action = 'auth.failed'"),
            "7");
}

}  // namespace
}  // namespace keyrelay::test
