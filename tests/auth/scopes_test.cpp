#include "auth/scopes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace keyrelay::auth {
namespace {

using ::testing::ElementsAre;

TEST(Scopes, WireNamesRoundTrip) {
  const std::vector<std::pair<Scope, std::string_view>> expected = {
      {Scope::keys_read, "keys:read"}, {Scope::keys_write, "keys:write"},
      {Scope::gateway, "gateway"},     {Scope::audit_read, "audit:read"},
      {Scope::admin, "admin"},         {Scope::act_as, "act_as"},
      {Scope::keys_reveal, "keys:reveal"}};
  ASSERT_EQ(expected.size(), kScopeCount);
  for (const auto& [scope, name] : expected) {
    EXPECT_EQ(scope_name(scope), name);
    EXPECT_EQ(parse_scope(name), scope) << name;
  }
}

TEST(Scopes, ParseScopeIsExact) {
  EXPECT_EQ(parse_scope("KEYS:READ"), std::nullopt);
  EXPECT_EQ(parse_scope("keys_read"), std::nullopt);
  EXPECT_EQ(parse_scope(" gateway"), std::nullopt);
  EXPECT_EQ(parse_scope(""), std::nullopt);
}

TEST(ScopeSet, ParsesCommaAndSpaceSeparatedLists) {
  auto set = ScopeSet::parse("keys:read, gateway  audit:read,,keys:read\tadmin");
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->size(), 4u);
  EXPECT_TRUE(set->contains(Scope::keys_read));
  EXPECT_TRUE(set->contains(Scope::gateway));
  EXPECT_TRUE(set->contains(Scope::audit_read));
  EXPECT_TRUE(set->contains(Scope::admin));
  EXPECT_FALSE(set->contains(Scope::keys_write));
  EXPECT_FALSE(set->contains(Scope::act_as));
}

TEST(ScopeSet, EmptyListIsEmptySet) {
  for (std::string_view list : {"", " ", ",", " , \t"}) {
    auto set = ScopeSet::parse(list);
    ASSERT_TRUE(set) << "'" << list << "'";
    EXPECT_TRUE(set->empty());
  }
}

TEST(ScopeSet, UnknownScopeIsInvalidRequestNamingIt) {
  auto set = ScopeSet::parse("keys:read,keys:delete,gateway");
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().code, core::Errc::invalid_request);
  EXPECT_NE(set.error().message.find("'keys:delete'"), std::string::npos) << set.error().message;
}

TEST(ScopeSet, UnknownScopeNameIsCutInTheMessage) {
  const std::string huge(1000, 'x');
  auto set = ScopeSet::parse(huge);
  ASSERT_FALSE(set);
  EXPECT_LT(set.error().message.size(), 100u);
}

TEST(ScopeSet, FromStringsAcceptsStoredNamesAndRefusesUnknown) {
  auto set = ScopeSet::from_strings({"gateway", "act_as"});
  ASSERT_TRUE(set);
  EXPECT_EQ(*set, (ScopeSet{Scope::gateway, Scope::act_as}));
  auto bad = ScopeSet::from_strings({"gateway", "root"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, core::Errc::invalid_request);
  EXPECT_NE(bad.error().message.find("'root'"), std::string::npos);
}

TEST(ScopeSet, ToStringsUsesCanonicalOrder) {
  ScopeSet set{Scope::act_as, Scope::keys_read, Scope::audit_read};
  EXPECT_THAT(set.to_strings(), ElementsAre("keys:read", "audit:read", "act_as"));
  EXPECT_EQ(set.to_string(), "keys:read,audit:read,act_as");
  EXPECT_EQ(ScopeSet{}.to_string(), "");
  auto reparsed = ScopeSet::parse(set.to_string());
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(*reparsed, set);
}

TEST(ScopeSet, IntersectionAndContainment) {
  ScopeSet token{Scope::gateway, Scope::keys_read, Scope::act_as};
  ScopeSet user = default_user_scopes();
  ScopeSet both = token.intersection(user);
  EXPECT_EQ(both, (ScopeSet{Scope::gateway, Scope::keys_read}));
  EXPECT_TRUE(user.contains_all(both));
  EXPECT_FALSE(both.contains_all(user));
  EXPECT_TRUE(both.contains_all(ScopeSet{}));
  EXPECT_TRUE(ScopeSet{}.intersection(user).empty());
  EXPECT_EQ(both.united_with(ScopeSet{Scope::admin}).size(), 3u);
}

TEST(ScopeSet, InsertAndErase) {
  ScopeSet set;
  set.insert(Scope::admin);
  set.insert(Scope::admin);
  EXPECT_EQ(set.size(), 1u);
  set.erase(Scope::admin);
  set.erase(Scope::gateway);
  EXPECT_TRUE(set.empty());
}

TEST(ScopeSet, DefaultUserScopesMatchTheContract) {
  EXPECT_THAT(default_user_scopes().to_strings(),
              ElementsAre("keys:read", "keys:write", "gateway", "audit:read"));
  EXPECT_FALSE(default_user_scopes().contains(Scope::admin));
  EXPECT_FALSE(default_user_scopes().contains(Scope::act_as));
}

TEST(ScopeSet, AllScopesHasEveryScopeButKeysReveal) {
  EXPECT_EQ(all_scopes().size(), kScopeCount - 1);
  for (std::size_t i = 0; i < kScopeCount; ++i) {
    const auto scope = static_cast<Scope>(i);
    EXPECT_EQ(all_scopes().contains(scope), scope != Scope::keys_reveal) << scope_name(scope);
  }
}

}  // namespace
}  // namespace keyrelay::auth
