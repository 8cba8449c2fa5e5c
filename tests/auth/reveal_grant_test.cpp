#include "auth/reveal_grant.h"

#include <gtest/gtest.h>

namespace keyrelay::auth {
namespace {

using Names = std::vector<std::string>;

TEST(RevealGrant, IsStoredBesideTheScopesAndReadBack) {
  auto stored = store_token_grants({Scope::keys_reveal}, {"openai", "anthropic", "openai"});
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(*stored, (Names{"keys:reveal", "keys:reveal:anthropic", "keys:reveal:openai"}));
  auto read = parse_token_grants(*stored);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->scopes, ScopeSet({Scope::keys_reveal}));
  EXPECT_EQ(read->reveal_providers, (Names{"anthropic", "openai"}));
}

TEST(RevealGrant, OrdinaryTokensReadAsBefore) {
  auto read = parse_token_grants({"keys:read", "gateway"});
  ASSERT_TRUE(read);
  EXPECT_EQ(read->scopes, ScopeSet({Scope::keys_read, Scope::gateway}));
  EXPECT_TRUE(read->reveal_providers.empty());
  auto stored = store_token_grants(default_user_scopes(), {});
  ASSERT_TRUE(stored);
  EXPECT_EQ(*stored, default_user_scopes().to_strings());
}

TEST(RevealGrant, TheScopeAndTheProvidersComeTogether) {
  EXPECT_FALSE(store_token_grants({Scope::keys_reveal}, {}));
  EXPECT_FALSE(store_token_grants({Scope::keys_read}, {"openai"}));
  EXPECT_FALSE(parse_token_grants({"keys:reveal"}));
  EXPECT_FALSE(parse_token_grants({"keys:read", "keys:reveal:openai"}));
}

TEST(RevealGrant, ProviderNamesAreChecked) {
  EXPECT_FALSE(store_token_grants({Scope::keys_reveal}, {"Open AI"}));
  EXPECT_FALSE(store_token_grants({Scope::keys_reveal}, {""}));
  EXPECT_FALSE(parse_token_grants({"keys:reveal", "keys:reveal:"}));
  EXPECT_FALSE(parse_token_grants({"keys:reveal", "keys:reveal:a,b"}));
}

TEST(RevealGrant, IsInNoDefaultScopeSet) {
  EXPECT_FALSE(default_user_scopes().contains(Scope::keys_reveal));
  EXPECT_FALSE(all_scopes().contains(Scope::keys_reveal));
  EXPECT_EQ(scope_name(Scope::keys_reveal), "keys:reveal");
  EXPECT_EQ(parse_scope("keys:reveal"), Scope::keys_reveal);
}

TEST(SessionMarker, IsReadBesideTheScopes) {
  auto read = parse_token_grants({"keys:read", "gateway", std::string(kSessionMarker)});
  ASSERT_TRUE(read);
  EXPECT_TRUE(read->session);
  EXPECT_EQ(read->scopes, (ScopeSet{Scope::keys_read, Scope::gateway}));
  auto plain = parse_token_grants({"keys:read"});
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->session);
  EXPECT_FALSE(parse_token_grants({"keys:read", "kind:other"}));  // an unknown marker is an unknown scope
}

}  // namespace
}  // namespace keyrelay::auth
