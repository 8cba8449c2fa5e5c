// Contract: access tokens (issue, find, list, revoke, touch) on every engine.

#include "store/store.h"

#include "store_contract.h"

namespace keyrelay::store::test {
namespace {

class TokensContract : public StoreContract {};
KEYRELAY_STORE_CONTRACT(TokensContract);

TEST_P(TokensContract, CreatedTokenIsFoundByIdAndHashWithEveryField) {
  auto user = add_user("alice");
  auto token = make_token(user, "backend");
  token.scopes = {"keys:read", "admin", "act_as"};
  token.expires_at = at(86400);
  token.last_used_at = at(100);
  ASSERT_TRUE(store_->create_token(token, make_event("token.issued")));

  auto by_id = store_->find_token(token.id);
  ASSERT_TRUE(by_id) << by_id.error().message;
  EXPECT_EQ(text(*by_id), text(token));
  auto by_hash = store_->find_token_by_hash(token.hash);
  ASSERT_TRUE(by_hash);
  EXPECT_EQ(text(*by_hash), text(token));
}

TEST_P(TokensContract, TokenWithoutScopesOrTimesRoundTrips) {
  auto user = add_user("alice");
  auto token = make_token(user);
  token.scopes.clear();
  ASSERT_TRUE(store_->create_token(token, make_event("token.issued")));
  auto found = store_->find_token(token.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(text(*found), text(token));
}

TEST_P(TokensContract, UnknownTokenIsNotFound) {
  auto user = add_user("alice");
  add_token(user);
  auto by_id = store_->find_token("00000000-0000-7000-8000-000000000000");
  ASSERT_FALSE(by_id);
  EXPECT_EQ(by_id.error().code, core::Errc::not_found);
  const core::Bytes other(32, 0x42);
  auto by_hash = store_->find_token_by_hash(other);
  ASSERT_FALSE(by_hash);
  EXPECT_EQ(by_hash.error().code, core::Errc::not_found);
}

TEST_P(TokensContract, TokenOfUnknownUserIsRefusedAndNothingIsWritten) {
  auto ghost = make_user("ghost");  // never stored
  const auto before = snapshot(*store_);
  auto created = store_->create_token(make_token(ghost), make_event("token.issued"));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, core::Errc::not_found);
  EXPECT_EQ(snapshot(*store_), before);
}

TEST_P(TokensContract, SameHashTwiceIsConflict) {
  auto user = add_user("alice");
  auto first = add_token(user);
  auto second = make_token(user);
  second.hash = first.hash;
  auto created = store_->create_token(second, make_event("token.issued"));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, core::Errc::conflict);
}

TEST_P(TokensContract, ListsAllTokensOrThoseOfOneUserInCreationOrder) {
  auto alice = add_user("alice");
  auto bob = add_user("bob");
  auto a1 = add_token(alice);
  auto b1 = add_token(bob);
  auto a2 = add_token(alice);

  auto all = store_->list_tokens(std::nullopt, PageRequest{});
  ASSERT_TRUE(all);
  EXPECT_EQ(ids(all->items), (std::vector<std::string>{a1.id, b1.id, a2.id}));
  auto of_alice = store_->list_tokens(alice.id, PageRequest{});
  ASSERT_TRUE(of_alice);
  EXPECT_EQ(ids(of_alice->items), (std::vector<std::string>{a1.id, a2.id}));
  auto of_nobody = store_->list_tokens(std::string_view("nobody"), PageRequest{});
  ASSERT_TRUE(of_nobody);
  EXPECT_TRUE(of_nobody->items.empty());
}

TEST_P(TokensContract, RevokeSetsTheTimeOnceAndAppendsEachEvent) {
  auto user = add_user("alice");
  auto token = add_token(user);
  auto revoked = store_->revoke_token(token.id, std::nullopt, at(500), make_event("token.revoked"));
  ASSERT_TRUE(revoked) << revoked.error().message;
  ASSERT_TRUE(revoked->revoked_at);
  EXPECT_EQ(*revoked->revoked_at, at(500));

  auto again = store_->revoke_token(token.id, user.id, at(900), make_event("token.revoked"));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again->revoked_at, at(500)) << "an already revoked token keeps its time";
  auto found = store_->find_token(token.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(text(*found), text(*again));

  auto events = chain_events();
  ASSERT_EQ(events.size(), 4u);  // user.created, token.issued, token.revoked ×2
  EXPECT_EQ(events[2].action, "token.revoked");
  EXPECT_EQ(events[3].action, "token.revoked");
}

TEST_P(TokensContract, RevokingAnotherUsersTokenIsNotFoundAndChangesNothing) {
  auto alice = add_user("alice");
  auto bob = add_user("bob");
  auto token = add_token(alice);
  const auto before = snapshot(*store_);
  auto revoked = store_->revoke_token(token.id, bob.id, at(500), make_event("token.revoked"));
  ASSERT_FALSE(revoked);
  EXPECT_EQ(revoked.error().code, core::Errc::not_found);
  EXPECT_EQ(snapshot(*store_), before);
}

TEST_P(TokensContract, RevokingAnUnknownTokenIsNotFound) {
  add_user("alice");
  const auto before = snapshot(*store_);
  auto revoked = store_->revoke_token("no-such-token", std::nullopt, at(500), make_event("token.revoked"));
  ASSERT_FALSE(revoked);
  EXPECT_EQ(revoked.error().code, core::Errc::not_found);
  EXPECT_EQ(snapshot(*store_), before);
}

TEST_P(TokensContract, TouchKeepsTheLatestUseAndIgnoresUnknownIds) {
  auto user = add_user("alice");
  auto one = add_token(user, "one");
  auto two = add_token(user, "two");
  ASSERT_TRUE(store_->touch_tokens({{one.id, at(300)}, {"unknown", at(300)}, {two.id, at(200)}}));
  ASSERT_TRUE(store_->touch_tokens({{one.id, at(250)}, {two.id, at(400)}}));  // one: an older batch
  ASSERT_TRUE(store_->touch_tokens({}));

  auto found_one = store_->find_token(one.id);
  auto found_two = store_->find_token(two.id);
  ASSERT_TRUE(found_one && found_two);
  EXPECT_EQ(found_one->last_used_at, std::optional<TimePoint>(at(300)));
  EXPECT_EQ(found_two->last_used_at, std::optional<TimePoint>(at(400)));
}

}  // namespace
}  // namespace keyrelay::store::test
