// Which address the audit log records: the socket peer, or X-Forwarded-For when (and only when) the
// peer is a configured trusted proxy (KEYRELAY_TRUSTED_PROXIES). A client cannot choose its own.

#include <gtest/gtest.h>

#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

std::string ip_of_last_create(VaultServer& vault, const Identity& who) {
  auto events = audit_events(vault, who, "action=key.created");
  if (events.empty()) return "<none>";
  const auto* ip = events.front().if_contains("ip");
  return ip != nullptr && ip->is_string() ? std::string(ip->get_string()) : "<null>";
}

TEST(VaultClientIp, ForwardedForFromAnUntrustedPeerIsIgnored) {
  VaultServer vault;
  auto alice = vault.add_user("alice");
  auto created = vault.call(alice, "POST", "/api/v1/keys",
                            R"({"provider":"openai","secret":"sk-proj-forwarded-for-ignored-0001"})",
                            {{"X-Forwarded-For", "198.51.100.7"}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(ip_of_last_create(vault, alice), "127.0.0.1");
}

TEST(VaultClientIp, ForwardedForFromATrustedProxyNamesTheClient) {
  VaultServer vault(VaultServer::Options{{{"KEYRELAY_TRUSTED_PROXIES", "127.0.0.0/8"}}});
  auto alice = vault.add_user("alice");
  auto created = vault.call(alice, "POST", "/api/v1/keys",
                            R"({"provider":"openai","secret":"sk-proj-forwarded-for-trusted-0001"})",
                            {{"X-Forwarded-For", "6.6.6.6, 198.51.100.7"}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(ip_of_last_create(vault, alice), "198.51.100.7");
}

TEST(VaultClientIp, AMalformedTrustedProxyListStopsTheServerNamingTheVariable) {
  EXPECT_THROW(VaultServer(VaultServer::Options{{{"KEYRELAY_TRUSTED_PROXIES", "10.0.0.0/99"}}}), std::runtime_error);
}

}  // namespace
}  // namespace keyrelay::test
