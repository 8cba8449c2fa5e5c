// Contract: users (create, find, uniqueness, listing) on every engine.

#include "store/store.h"

#include "store_contract.h"

namespace keyrelay::store::test {
namespace {

class UsersContract : public StoreContract {};
KEYRELAY_STORE_CONTRACT(UsersContract);

TEST_P(UsersContract, CreatedUserIsFoundByIdNameAndExternalId) {
  auto user = make_user("alice", Role::admin);
  user.external_id = "https://issuer.example alice-sub";
  ASSERT_TRUE(store_->create_user(user, make_event("user.created")));

  auto by_id = store_->find_user(user.id);
  ASSERT_TRUE(by_id) << by_id.error().message;
  EXPECT_EQ(text(*by_id), text(user));
  auto by_name = store_->find_user_by_name("alice");
  ASSERT_TRUE(by_name);
  EXPECT_EQ(text(*by_name), text(user));
  auto by_external = store_->find_user_by_external_id("https://issuer.example alice-sub");
  ASSERT_TRUE(by_external);
  EXPECT_EQ(text(*by_external), text(user));
}

TEST_P(UsersContract, EveryRoleRoundTrips) {
  for (Role role : {Role::user, Role::admin, Role::system}) {
    auto user = add_user(std::string("user-") + std::string(role_name(role)), role);
    auto found = store_->find_user(user.id);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->role, role);
    EXPECT_FALSE(found->external_id);
  }
}

TEST_P(UsersContract, UnknownUserIsNotFound) {
  add_user("alice");
  auto by_id = store_->find_user("00000000-0000-7000-8000-000000000000");
  ASSERT_FALSE(by_id);
  EXPECT_EQ(by_id.error().code, core::Errc::not_found);
  auto by_name = store_->find_user_by_name("bob");
  ASSERT_FALSE(by_name);
  EXPECT_EQ(by_name.error().code, core::Errc::not_found);
  auto by_external = store_->find_user_by_external_id("iss sub");
  ASSERT_FALSE(by_external);
  EXPECT_EQ(by_external.error().code, core::Errc::not_found);
}

TEST_P(UsersContract, TakenNameIsConflictNamingIt) {
  add_user("bob");
  auto again = store_->create_user(make_user("bob"), make_event("user.created"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::Errc::conflict);
  EXPECT_EQ(again.error().message, "user name 'bob' is taken");
}

TEST_P(UsersContract, TakenExternalIdIsConflict) {
  auto first = make_user("alice");
  first.external_id = "iss sub";
  ASSERT_TRUE(store_->create_user(first, make_event("user.created")));
  auto second = make_user("alice2");
  second.external_id = "iss sub";
  auto again = store_->create_user(second, make_event("user.created"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::Errc::conflict);
  EXPECT_NE(again.error().message.find("external identity"), std::string::npos) << again.error().message;
}

TEST_P(UsersContract, AnExternalIdIsReplacedOnlyFromWhatItStillIs) {
  auto alice = make_user("alice");
  alice.external_id = "iss alice";
  ASSERT_TRUE(store_->create_user(alice, make_event("user.created")));
  auto bob = make_user("bob");
  bob.external_id = "3:iss bob";
  ASSERT_TRUE(store_->create_user(bob, make_event("user.created")));

  ASSERT_TRUE(store_->replace_external_id(alice.id, "iss alice", "3:iss alice"));
  auto found = store_->find_user_by_external_id("3:iss alice");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, alice.id);
  EXPECT_FALSE(store_->find_user_by_external_id("iss alice"));

  // A second rewrite (another node raced us) finds nothing to replace.
  auto again = store_->replace_external_id(alice.id, "iss alice", "3:iss alice");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::Errc::not_found);
  // Another user's id is never taken over.
  auto taken = store_->replace_external_id(alice.id, "3:iss alice", "3:iss bob");
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, core::Errc::conflict);
  EXPECT_EQ(store_->find_user_by_external_id("3:iss bob")->id, bob.id);
}

TEST_P(UsersContract, TakenIdIsConflict) {
  auto first = add_user("alice");
  auto second = make_user("bob");
  second.id = first.id;
  auto again = store_->create_user(second, make_event("user.created"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::Errc::conflict);
}

TEST_P(UsersContract, UsersWithoutExternalIdDoNotCollide) {
  add_user("alice");
  auto second = store_->create_user(make_user("bob"), make_event("user.created"));
  EXPECT_TRUE(second) << second.error().message;
}

TEST_P(UsersContract, CreateUserAppendsItsEventInTheSameChange) {
  auto user = make_user("alice");
  auto event = make_event("user.created");
  event.actor_user_id = "someone";
  ASSERT_TRUE(store_->create_user(user, event));
  auto events = chain_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].id, event.id);
  EXPECT_EQ(events[0].action, "user.created");
  EXPECT_EQ(events[0].seq, 1);
  EXPECT_EQ(events[0].master_version, 1u);
  EXPECT_EQ(events[0].hash, TestSealer::chain_hash({}, 1, event.id));
}

TEST_P(UsersContract, IsEmptyUntilTheFirstUser) {
  auto empty = store_->is_empty();
  ASSERT_TRUE(empty);
  EXPECT_TRUE(*empty);
  add_user("alice");
  empty = store_->is_empty();
  ASSERT_TRUE(empty);
  EXPECT_FALSE(*empty);
}

TEST_P(UsersContract, ListUsersIsOrderedByCreation) {
  std::vector<std::string> expected;
  // Created out of name order: the list follows creation, not names.
  for (auto name : {"carol", "alice", "bob"}) expected.push_back(add_user(name).id);
  auto page = store_->list_users(PageRequest{});
  ASSERT_TRUE(page);
  EXPECT_EQ(ids(page->items), expected);
  EXPECT_FALSE(page->next_cursor);
}

}  // namespace
}  // namespace keyrelay::store::test
