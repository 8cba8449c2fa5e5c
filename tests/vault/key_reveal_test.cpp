// KeyService::reveal (the vault side of POST /api/v1/keys/{id}/reveal) and the rule that only an
// admin or the command line issues a keys:reveal token (AccountService).

#include <gtest/gtest.h>

#include <algorithm>

#include "vault_fixture.h"

namespace keyrelay::test {
namespace {

class KeyRevealTest : public VaultFixture {};

TEST_F(KeyRevealTest, AListedProviderRevealsThePlaintextAfterTheAuditRow) {
  auto key = create(alice_, "openai", "sk-proj-reveal-me-0123456789");
  ASSERT_TRUE(key) << key.error().message;
  auto revealed = keys_->reveal(alice_, alice_.user_id, key->id, {"anthropic", "openai"});
  ASSERT_TRUE(revealed) << revealed.error().message;
  EXPECT_EQ(revealed->first.id, key->id);
  EXPECT_EQ(revealed->second.reveal_text(), "sk-proj-reveal-me-0123456789");
  auto events = audit_of("key.revealed");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].outcome, store::Outcome::success);
  EXPECT_EQ(events[0].key_id, key->id);
  EXPECT_EQ(events[0].details_json.find("reveal-me"), std::string::npos);
}

TEST_F(KeyRevealTest, AnUnlistedProviderIsRefusedAndAuditedAsAFailure) {
  auto key = create(alice_, "anthropic", "sk-ant-api03-not-for-you-0123456789");
  ASSERT_TRUE(key);
  auto refused = keys_->reveal(alice_, alice_.user_id, key->id, {"openai"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::Errc::forbidden);
  EXPECT_EQ(refused.error().message.find("not-for-you"), std::string::npos);
  auto events = audit_of("key.revealed");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].outcome, store::Outcome::failure);
}

TEST_F(KeyRevealTest, AnotherOwnersKeyIsNotFound) {
  auto key = create(bob_, "openai", "sk-proj-bobs-0123456789");
  ASSERT_TRUE(key);
  auto refused = keys_->reveal(alice_, alice_.user_id, key->id, {"openai"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::Errc::not_found);
  EXPECT_TRUE(audit_of("key.revealed").empty());
}

TEST_F(KeyRevealTest, OnlyAnAdminOrTheCommandLineIssuesARevealToken) {
  accounts::NewToken input;
  input.user_id = alice_.user_id;
  input.scopes = auth::ScopeSet{auth::Scope::keys_reveal};
  input.reveal_providers = {"openai"};
  auto by_user = accounts_->issue_token(alice_, input);
  ASSERT_FALSE(by_user);
  EXPECT_EQ(by_user.error().code, core::Errc::forbidden);

  audit::Actor admin = alice_;
  admin.is_admin = true;
  auto by_admin = accounts_->issue_token(admin, input);
  ASSERT_TRUE(by_admin) << by_admin.error().message;
  EXPECT_EQ(by_admin->record.scopes, (std::vector<std::string>{"keys:reveal", "keys:reveal:openai"}));
  EXPECT_TRUE(accounts_->issue_token(audit::Actor::cli(), input));

  input.reveal_providers.clear();
  EXPECT_EQ(accounts_->issue_token(admin, input).error().code, core::Errc::invalid_request);
}

}  // namespace
}  // namespace keyrelay::test
