// Contract: ImportStore::insert_import on every engine — new users and keys (of new and existing
// users) with their events in one transaction, and nothing at all when any part is refused.

#include "store/store.h"

#include "store_contract.h"

namespace keyrelay::store::test {
namespace {

class ImportContract : public StoreContract {};
KEYRELAY_STORE_CONTRACT(ImportContract);

TEST_P(ImportContract, StoresNewUsersAndTheirKeysWithEveryEvent) {
  auto alice = add_user("alice");
  auto dave = make_user("dave");
  ImportLoad load;
  load.users.emplace_back(dave, make_event("user.created"));
  std::vector<KeyRecord> keys{make_key(dave, "openai", "main"), make_key(dave, "anthropic", "main"),
                              make_key(alice, "openai", "imported")};
  for (const auto& key : keys) load.keys.emplace_back(key, make_event("key.imported"));
  const auto events_before = chain_events().size();
  const auto generation_before = generation();
  ASSERT_TRUE(store_->insert_import(std::move(load)));

  auto stored = store_->find_user_by_name("dave");
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(text(*stored), text(dave));
  for (const auto& key : keys) {
    auto got = store_->get_key(key.owner_id, key.id);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(text(*got), text(key));
  }
  const auto events = chain_events();
  ASSERT_EQ(events.size(), events_before + 4u) << "one user.created, three key.imported";
  EXPECT_EQ(events[events_before].action, "user.created") << "the users are stored before their keys";
  EXPECT_GT(generation(), generation_before) << "running servers must learn of the import";
  EXPECT_TRUE(store_->insert_import({})) << "an empty load is nothing to do";
}

TEST_P(ImportContract, AConflictingKeyStoresNothingNotEvenTheNewUsers) {
  auto alice = add_user("alice");
  add_key(alice, "openai", "work");
  const std::string before = snapshot(*store_);
  auto dave = make_user("dave");
  ImportLoad load;
  load.users.emplace_back(dave, make_event("user.created"));
  load.keys.emplace_back(make_key(dave, "openai", "main"), make_event("key.imported"));
  load.keys.emplace_back(make_key(alice, "openai", "work"), make_event("key.imported"));  // name taken

  auto imported = store_->insert_import(std::move(load));
  ASSERT_FALSE(imported);
  EXPECT_EQ(imported.error().code, core::Errc::conflict);
  EXPECT_EQ(snapshot(*store_), before);
  EXPECT_EQ(store_->find_user_by_name("dave").error().code, core::Errc::not_found);
}

TEST_P(ImportContract, ATakenUserNameOrAnUnknownOwnerStoresNothing) {
  auto alice = add_user("alice");
  const std::string before = snapshot(*store_);
  ImportLoad taken;
  taken.users.emplace_back(make_user("erin"), make_event("user.created"));
  taken.users.emplace_back(make_user("alice"), make_event("user.created"));
  auto refused = store_->insert_import(std::move(taken));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::Errc::conflict);
  EXPECT_EQ(snapshot(*store_), before);

  UserRecord ghost = make_user("ghost");  // never stored, not in the load
  ImportLoad orphan;
  orphan.keys.emplace_back(make_key(alice, "openai", "mine"), make_event("key.imported"));
  orphan.keys.emplace_back(make_key(ghost, "openai", "orphan"), make_event("key.imported"));
  auto missing = store_->insert_import(std::move(orphan));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, core::Errc::not_found);
  EXPECT_EQ(snapshot(*store_), before);
}

}  // namespace
}  // namespace keyrelay::store::test
