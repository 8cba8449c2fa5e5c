// Contract: provider keys (insert, get, update, delete, list filters) on every engine, with owner
// scoping everywhere: another owner's key is not_found and never listed.

#include "store/store.h"

#include <algorithm>

#include "store_contract.h"

namespace keyrelay::store::test {
namespace {

class KeysContract : public StoreContract {
 protected:
  // update_key's change callback that edits nothing and returns a key.updated event.
  Store::KeyChange touch_change(int* calls = nullptr) {
    return [this, calls](KeyRecord&) -> core::Result<AuditEvent> {
      if (calls != nullptr) ++*calls;
      return make_event("key.updated");
    };
  }
};
KEYRELAY_STORE_CONTRACT(KeysContract);

TEST_P(KeysContract, InsertedKeyRoundTripsEveryField) {
  auto owner = add_user("alice");
  auto key = make_key(owner, "openai", "work");
  key.master_version = 7;
  key.version = 3;
  key.enabled = false;
  key.validation = {ValidationState::error, at(50), "upstream said 503"};
  key.priority = -2;
  key.always_use = true;
  key.expires_at = at(9000);
  key.last_used_at = at(60);
  key.usage = {11, 2200, 330, 4};
  key.metadata_json = R"({"team":"ml"})";
  ASSERT_TRUE(store_->insert_key(key, make_event("key.created")));

  auto got = store_->get_key(owner.id, key.id);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(text(*got), text(key));
}

TEST_P(KeysContract, InsertKeysStoresEveryKeyOfEveryOwnerWithItsEvent) {
  auto alice = add_user("alice");
  auto bob = add_user("bob");
  std::vector<KeyRecord> keys{make_key(alice, "openai", "a1"), make_key(alice, "openai", "a2"),
                              make_key(bob, "openai", "b1")};
  keys[1].master_version = 4;
  std::vector<std::pair<KeyRecord, AuditEvent>> load;
  for (const auto& key : keys) load.emplace_back(key, make_event("key.created"));
  const auto generation_before = generation();
  ASSERT_TRUE(store_->insert_keys(std::move(load)));

  for (const auto& key : keys) {
    auto got = store_->get_key(key.owner_id, key.id);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(text(*got), text(key));
  }
  EXPECT_EQ(chain_events().size(), 2u + 3u) << "two user.created, then one key.created per key";
  EXPECT_GT(generation(), generation_before);
  EXPECT_TRUE(store_->insert_keys({})) << "an empty load is nothing to do";
}

TEST_P(KeysContract, InsertKeysStopsAtTheFirstConflictAndNeverStoresIt) {
  auto alice = add_user("alice");
  auto stored = add_key(alice, "openai", "work");
  auto fresh = make_key(alice, "openai", "fresh");
  auto same_name = make_key(alice, "openai", "work");
  auto after = make_key(alice, "openai", "after");
  std::vector<std::pair<KeyRecord, AuditEvent>> load;
  for (const auto& key : {fresh, same_name, after}) load.emplace_back(key, make_event("key.created"));

  auto loaded = store_->insert_keys(std::move(load));
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, core::Errc::conflict);
  EXPECT_EQ(store_->get_key(alice.id, same_name.id).error().code, core::Errc::not_found);
  EXPECT_EQ(store_->get_key(alice.id, after.id).error().code, core::Errc::not_found) << "the load stops there";
  EXPECT_TRUE(store_->get_key(alice.id, stored.id));
}

TEST_P(KeysContract, InsertKeysRefusesTwinsWithinTheLoadAndStoresNone) {
  auto alice = add_user("alice");
  auto first = make_key(alice, "openai", "twin");
  auto second = make_key(alice, "openai", "twin");
  std::vector<std::pair<KeyRecord, AuditEvent>> load{{first, make_event("key.created")},
                                                     {second, make_event("key.created")}};
  auto loaded = store_->insert_keys(std::move(load));
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, core::Errc::conflict);
  EXPECT_EQ(store_->get_key(alice.id, first.id).error().code, core::Errc::not_found) << "all or nothing";
}

TEST_P(KeysContract, InsertKeysRefusesTheSameSecretStoredUnderAnotherMasterVersion) {
  auto alice = add_user("alice");
  auto stored = add_key(alice, "openai", "work");
  auto again = make_key(alice, "openai", "again");
  again.fingerprint = core::Bytes(32, 0x5a);  // the fingerprint under the sealing version differs…
  again.equivalent_fingerprints = {stored.fingerprint};  // …the stored row's version gives the same one
  auto loaded = store_->insert_keys({{again, make_event("key.created")}});
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, core::Errc::conflict);
}

TEST_P(KeysContract, InsertKeysForAnUnknownOwnerIsNotFoundAndStoresNone) {
  auto alice = add_user("alice");
  auto mine = make_key(alice, "openai", "mine");
  UserRecord ghost = alice;
  ghost.id = "no-such-user";
  auto orphan = make_key(ghost, "openai", "orphan");
  auto loaded = store_->insert_keys({{mine, make_event("key.created")}, {orphan, make_event("key.created")}});
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, core::Errc::not_found);
  EXPECT_EQ(store_->get_key(alice.id, mine.id).error().code, core::Errc::not_found);
}

TEST_P(KeysContract, EveryValidationStateRoundTrips) {
  auto owner = add_user("alice");
  int n = 0;
  for (auto state : {ValidationState::unknown, ValidationState::valid, ValidationState::invalid, ValidationState::error}) {
    auto key = make_key(owner, "openai", "k" + std::to_string(n++));
    key.validation.state = state;
    ASSERT_TRUE(store_->insert_key(key, make_event("key.created")));
    auto got = store_->get_key(owner.id, key.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->validation.state, state);
  }
}

TEST_P(KeysContract, AnotherOwnersKeyIsNotFoundForGetUpdateAndDelete) {
  auto alice = add_user("alice");
  auto bob = add_user("bob");
  auto key = add_key(alice, "openai", "work");
  const auto before = snapshot(*store_);

  auto got = store_->get_key(bob.id, key.id);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, core::Errc::not_found);

  int calls = 0;
  auto updated = store_->update_key(bob.id, key.id, touch_change(&calls));
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.error().code, core::Errc::not_found);
  EXPECT_EQ(calls, 0) << "the change must not see another owner's key";

  auto deleted = store_->delete_key(bob.id, key.id, make_event("key.deleted"));
  ASSERT_FALSE(deleted);
  EXPECT_EQ(deleted.error().code, core::Errc::not_found);
  EXPECT_EQ(snapshot(*store_), before);
}

TEST_P(KeysContract, UnknownKeyIsNotFound) {
  auto alice = add_user("alice");
  for (auto result : {store_->get_key(alice.id, "no-such-key"),
                      store_->update_key(alice.id, "no-such-key", touch_change())}) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, core::Errc::not_found);
  }
  auto deleted = store_->delete_key(alice.id, "no-such-key", make_event("key.deleted"));
  ASSERT_FALSE(deleted);
  EXPECT_EQ(deleted.error().code, core::Errc::not_found);
}

TEST_P(KeysContract, AnotherOwnersKeysAreNeverListed) {
  auto alice = add_user("alice");
  auto bob = add_user("bob");
  auto mine = add_key(alice, "openai", "work");
  add_key(bob, "openai", "work");
  add_key(bob, "anthropic", "work");

  KeyFilter filter;
  filter.owner_id = alice.id;
  filter.now = at(0);
  auto listed = store_->list_keys(filter, PageRequest{});
  ASSERT_TRUE(listed);
  EXPECT_EQ(ids(listed->items), std::vector<std::string>{mine.id});
  auto owned = store_->keys_of_owner(alice.id);
  ASSERT_TRUE(owned);
  EXPECT_EQ(ids(*owned), std::vector<std::string>{mine.id});
  auto nobody = store_->keys_of_owner("nobody");
  ASSERT_TRUE(nobody);
  EXPECT_TRUE(nobody->empty());
}

TEST_P(KeysContract, KeysAfterPagesThroughEveryOwnersKeysById) {
  auto alice = add_user("alice");
  auto bob = add_user("bob");
  std::vector<std::string> all;
  for (const auto& [owner, name] : std::vector<std::pair<UserRecord, std::string>>{
           {alice, "a1"}, {alice, "a2"}, {bob, "b1"}, {bob, "b2"}, {alice, "a3"}})
    all.push_back(add_key(owner, "openai", name).id);
  std::sort(all.begin(), all.end());

  std::vector<std::string> seen;
  std::optional<std::string> after;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = store_->keys_after(after, 2);
    ASSERT_TRUE(page) << page.error().message;
    for (const auto& k : *page) seen.push_back(k.id);
    if (page->size() < 2) break;
    after = page->back().id;
  }
  EXPECT_EQ(seen, all);
}

TEST_P(KeysContract, SameNameForTheSameProviderIsConflictNamingBoth) {
  auto owner = add_user("alice");
  add_key(owner, "openai", "x");
  const auto before = snapshot(*store_);
  auto again = store_->insert_key(make_key(owner, "openai", "x"), make_event("key.created"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::Errc::conflict);
  EXPECT_EQ(again.error().message, "a key named 'x' already exists for provider 'openai'");
  EXPECT_EQ(snapshot(*store_), before);
}

TEST_P(KeysContract, SameSecretForTheSameProviderIsConflict) {
  auto owner = add_user("alice");
  auto first = add_key(owner, "openai", "one");
  auto second = make_key(owner, "openai", "two");
  second.fingerprint = first.fingerprint;
  auto again = store_->insert_key(second, make_event("key.created"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::Errc::conflict);
  EXPECT_EQ(again.error().message, "this secret is already stored for provider 'openai'");
}

TEST_P(KeysContract, SameNameAndSecretAreFineForAnotherProviderOrOwner) {
  auto alice = add_user("alice");
  auto bob = add_user("bob");
  auto first = add_key(alice, "gemini", "google");
  auto other_provider = make_key(alice, "google-maps", "google");
  other_provider.fingerprint = first.fingerprint;  // one Google key may serve both
  auto ok1 = store_->insert_key(other_provider, make_event("key.created"));
  EXPECT_TRUE(ok1) << ok1.error().message;
  auto other_owner = make_key(bob, "gemini", "google");
  other_owner.fingerprint = first.fingerprint;
  auto ok2 = store_->insert_key(other_owner, make_event("key.created"));
  EXPECT_TRUE(ok2) << ok2.error().message;
}

TEST_P(KeysContract, KeyOfUnknownOwnerIsRefused) {
  auto ghost = make_user("ghost");
  const auto before = snapshot(*store_);
  auto inserted = store_->insert_key(make_key(ghost, "openai", "x"), make_event("key.created"));
  ASSERT_FALSE(inserted);
  EXPECT_EQ(inserted.error().code, core::Errc::not_found);
  EXPECT_EQ(snapshot(*store_), before);
}

TEST_P(KeysContract, InsertKeyAppendsItsEvent) {
  auto owner = add_user("alice");
  auto key = make_key(owner, "openai", "x");
  auto event = make_event("key.created");
  event.key_id = key.id;
  event.key_owner_id = owner.id;
  event.provider = "openai";
  ASSERT_TRUE(store_->insert_key(key, event));
  auto events = chain_events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].id, event.id);
  EXPECT_EQ(events[1].seq, 2);
  EXPECT_EQ(events[1].hash, TestSealer::chain_hash(events[0].hash, 2, event.id));
}

TEST_P(KeysContract, UpdateKeyWritesTheChangeAndItsEvent) {
  auto owner = add_user("alice");
  auto key = add_key(owner, "openai", "x");
  auto updated = store_->update_key(owner.id, key.id, [&](KeyRecord& k) -> core::Result<AuditEvent> {
    EXPECT_EQ(text(k), text(key)) << "the change sees the stored key";
    k.name = "renamed";
    k.enabled = false;
    k.priority = 5;
    k.sealed_secret = core::Bytes(90, 0x5a);
    k.fingerprint = core::Bytes(32, 0x11);
    k.version = 2;
    k.validation = {ValidationState::unknown, std::nullopt, std::nullopt};
    k.updated_at = at(1000);
    return make_event("key.rotated");
  });
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->name, "renamed");
  auto got = store_->get_key(owner.id, key.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(text(*got), text(*updated));
  EXPECT_EQ(got->sealed_secret, core::Bytes(90, 0x5a));
  EXPECT_EQ(got->version, 2u);
  EXPECT_EQ(got->updated_at, at(1000));
  auto events = chain_events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().action, "key.rotated");
}

TEST_P(KeysContract, UpdateKeyWritesNothingWhenTheChangeFails) {
  auto owner = add_user("alice");
  auto key = add_key(owner, "openai", "x");
  const auto before = snapshot(*store_);
  auto updated = store_->update_key(owner.id, key.id, [](KeyRecord& k) -> core::Result<AuditEvent> {
    k.name = "half-done";  // edited, then refused: the edit must not be written
    return core::Error::invalid_request("expires_at is in the past");
  });
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.error().code, core::Errc::invalid_request);
  EXPECT_EQ(updated.error().message, "expires_at is in the past");
  EXPECT_EQ(snapshot(*store_), before);
}

TEST_P(KeysContract, RenamingOntoAnotherKeysNameIsConflict) {
  auto owner = add_user("alice");
  add_key(owner, "openai", "taken");
  auto key = add_key(owner, "openai", "mine");
  const auto before = snapshot(*store_);
  auto updated = store_->update_key(owner.id, key.id, [this](KeyRecord& k) -> core::Result<AuditEvent> {
    k.name = "taken";
    return make_event("key.updated");
  });
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.error().code, core::Errc::conflict);
  EXPECT_EQ(updated.error().message, "a key named 'taken' already exists for provider 'openai'");
  EXPECT_EQ(snapshot(*store_), before);
}

TEST_P(KeysContract, RotatingOntoAnotherKeysSecretIsConflict) {
  auto owner = add_user("alice");
  auto other = add_key(owner, "openai", "other");
  auto key = add_key(owner, "openai", "mine");
  auto updated = store_->update_key(owner.id, key.id, [&](KeyRecord& k) -> core::Result<AuditEvent> {
    k.fingerprint = other.fingerprint;
    return make_event("key.rotated");
  });
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.error().code, core::Errc::conflict);
}

// A secret is fingerprinted under one master version; a stored key not re-wrapped yet carries the
// fingerprint of an older one. The new key brings its fingerprints under the other versions along.
TEST_P(KeysContract, AnEquivalentFingerprintIsTheSameSecret) {
  auto owner = add_user("alice");
  auto stored = add_key(owner, "openai", "old");  // its fingerprint as of an older master version
  auto key = make_key(owner, "openai", "new");
  key.equivalent_fingerprints = {core::Bytes(32, 0x77), stored.fingerprint};
  const auto before = snapshot(*store_);
  auto inserted = store_->insert_key(key, make_event("key.created"));
  ASSERT_FALSE(inserted);
  EXPECT_EQ(inserted.error().code, core::Errc::conflict);
  EXPECT_EQ(snapshot(*store_), before);

  auto other = add_key(owner, "openai", "other");
  auto rotated = store_->update_key(owner.id, other.id, [&](KeyRecord& k) -> core::Result<AuditEvent> {
    k.fingerprint = core::Bytes(32, 0x78);
    k.equivalent_fingerprints = {stored.fingerprint};
    return make_event("key.rotated");
  });
  ASSERT_FALSE(rotated);
  EXPECT_EQ(rotated.error().code, core::Errc::conflict);

  // Its own row and other providers' keys are no conflict.
  auto same = store_->update_key(owner.id, stored.id, [&](KeyRecord& k) -> core::Result<AuditEvent> {
    k.equivalent_fingerprints = {stored.fingerprint};
    return make_event("key.updated");
  });
  EXPECT_TRUE(same) << same.error().message;
  auto elsewhere = make_key(owner, "anthropic", "new");
  elsewhere.equivalent_fingerprints = {stored.fingerprint};
  EXPECT_TRUE(store_->insert_key(elsewhere, make_event("key.created")));
}

TEST_P(KeysContract, UpdateKeepingItsOwnNameAndSecretIsNoConflict) {
  auto owner = add_user("alice");
  auto key = add_key(owner, "openai", "mine");
  auto updated = store_->update_key(owner.id, key.id, touch_change());
  EXPECT_TRUE(updated) << updated.error().message;
}

TEST_P(KeysContract, UpdateMayNotMoveTheKeyToAnotherOwner) {
  auto alice = add_user("alice");
  auto bob = add_user("bob");
  auto key = add_key(alice, "openai", "mine");
  const auto before = snapshot(*store_);
  auto updated = store_->update_key(alice.id, key.id, [&](KeyRecord& k) -> core::Result<AuditEvent> {
    k.owner_id = bob.id;
    return make_event("key.updated");
  });
  ASSERT_FALSE(updated);
  EXPECT_EQ(snapshot(*store_), before);
}

// A verdict about secret version 1 arriving after the key was rotated (version 2) must not land on
// the new secret: compare-and-set on the secret version, inside the write transaction.
TEST_P(KeysContract, UpdateAtVersionWritesNothingOnceTheKeyHasANewerSecret) {
  auto owner = add_user("alice");
  auto key = add_key(owner, "openai", "x");
  ASSERT_EQ(key.version, 1u);
  auto rotated = store_->update_key(owner.id, key.id, [&](KeyRecord& k) -> core::Result<AuditEvent> {
    k.version = 2;
    k.sealed_secret = core::Bytes(90, 0x5b);
    k.fingerprint = core::Bytes(32, 0x12);
    return make_event("key.rotated");
  });
  ASSERT_TRUE(rotated) << rotated.error().message;
  const auto before = snapshot(*store_);

  int calls = 0;
  auto stale = store_->update_key_at_version(owner.id, key.id, 1, [&](KeyRecord& k) -> core::Result<AuditEvent> {
    ++calls;
    k.validation = {ValidationState::invalid, at(500), "rejected by the provider"};
    return make_event("key.validated");
  });
  ASSERT_TRUE(stale) << stale.error().message;
  EXPECT_FALSE(stale->applied);
  EXPECT_EQ(calls, 0) << "the change must not even run";
  EXPECT_EQ(text(stale->key), text(*rotated)) << "the key as it is";
  EXPECT_EQ(snapshot(*store_), before) << "nothing written: no change, no event, no generation bump";
}

TEST_P(KeysContract, UpdateAtTheCurrentVersionWritesTheChangeAndItsEvent) {
  auto owner = add_user("alice");
  auto key = add_key(owner, "openai", "x");
  const auto generation_before = generation();
  auto updated = store_->update_key_at_version(owner.id, key.id, key.version,
                                               [&](KeyRecord& k) -> core::Result<AuditEvent> {
                                                 k.validation = {ValidationState::invalid, at(500), "rejected"};
                                                 return make_event("key.validated");
                                               });
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_TRUE(updated->applied);
  EXPECT_EQ(updated->key.validation.state, ValidationState::invalid);
  auto got = store_->get_key(owner.id, key.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(text(*got), text(updated->key));
  EXPECT_EQ(chain_events().back().action, "key.validated");
  EXPECT_GT(generation(), generation_before);

  // Another owner's key and an unknown key are not_found, as for update_key().
  auto bob = add_user("bob");
  auto foreign = store_->update_key_at_version(bob.id, key.id, key.version, touch_change());
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, core::Errc::not_found);
  auto unknown = store_->update_key_at_version(owner.id, "no-such-key", 1, touch_change());
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, core::Errc::not_found);
}

TEST_P(KeysContract, DeleteKeyRemovesItAndAppendsItsEvent) {
  auto owner = add_user("alice");
  auto key = add_key(owner, "openai", "x");
  auto kept = add_key(owner, "openai", "y");
  ASSERT_TRUE(store_->delete_key(owner.id, key.id, make_event("key.deleted")));
  auto got = store_->get_key(owner.id, key.id);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, core::Errc::not_found);
  auto owned = store_->keys_of_owner(owner.id);
  ASSERT_TRUE(owned);
  EXPECT_EQ(ids(*owned), std::vector<std::string>{kept.id});
  EXPECT_EQ(chain_events().back().action, "key.deleted");
  // The name and the secret are free again.
  auto again = make_key(owner, "openai", "x");
  again.fingerprint = key.fingerprint;
  auto reinserted = store_->insert_key(again, make_event("key.created"));
  EXPECT_TRUE(reinserted) << reinserted.error().message;
}

TEST_P(KeysContract, ListIsOrderedByProviderPriorityCreationAndId) {
  auto owner = add_user("alice");
  auto b_late = make_key(owner, "openai", "b-late");  // created first, priority 1
  b_late.priority = 1;
  auto c = add_key(owner, "anthropic", "c");
  auto a = make_key(owner, "openai", "a");
  a.priority = 1;
  auto first = make_key(owner, "openai", "first");
  first.priority = -1;
  ASSERT_TRUE(store_->insert_key(b_late, make_event("key.created")));
  ASSERT_TRUE(store_->insert_key(a, make_event("key.created")));
  ASSERT_TRUE(store_->insert_key(first, make_event("key.created")));

  const std::vector<std::string> expected{c.id, first.id, b_late.id, a.id};
  KeyFilter filter;
  filter.owner_id = owner.id;
  auto listed = store_->list_keys(filter, PageRequest{});
  ASSERT_TRUE(listed);
  EXPECT_EQ(ids(listed->items), expected);
  auto owned = store_->keys_of_owner(owner.id);
  ASSERT_TRUE(owned);
  EXPECT_EQ(ids(*owned), expected);
}

TEST_P(KeysContract, ListFiltersByProvider) {
  auto owner = add_user("alice");
  auto o1 = add_key(owner, "openai", "one");
  add_key(owner, "anthropic", "one");
  auto o2 = add_key(owner, "openai", "two");
  KeyFilter filter;
  filter.owner_id = owner.id;
  filter.provider = "openai";
  auto listed = store_->list_keys(filter, PageRequest{});
  ASSERT_TRUE(listed);
  EXPECT_EQ(ids(listed->items), (std::vector<std::string>{o1.id, o2.id}));
}

TEST_P(KeysContract, ListFiltersByDerivedStatusAtNow) {
  auto owner = add_user("alice");
  const TimePoint now = at(5000);
  struct Case {
    std::string name;
    bool enabled;
    std::optional<TimePoint> expires_at;
    ValidationState state;
    KeyStatus expected;
  };
  const std::vector<Case> cases{
      {"active", true, std::nullopt, ValidationState::valid, KeyStatus::active},
      {"active-later", true, at(5001), ValidationState::unknown, KeyStatus::active},
      {"active-error", true, std::nullopt, ValidationState::error, KeyStatus::active},
      {"disabled", false, std::nullopt, ValidationState::valid, KeyStatus::disabled},
      {"disabled-expired-invalid", false, at(10), ValidationState::invalid, KeyStatus::disabled},
      {"expired", true, at(10), ValidationState::valid, KeyStatus::expired},
      {"expired-exactly-now", true, now, ValidationState::unknown, KeyStatus::expired},
      {"expired-invalid", true, at(10), ValidationState::invalid, KeyStatus::expired},
      {"invalid", true, std::nullopt, ValidationState::invalid, KeyStatus::invalid},
      {"invalid-later", true, at(9000), ValidationState::invalid, KeyStatus::invalid},
  };
  std::map<KeyStatus, std::vector<std::string>> expected;
  for (const auto& c : cases) {
    auto key = make_key(owner, "openai", c.name);
    key.enabled = c.enabled;
    key.expires_at = c.expires_at;
    key.validation.state = c.state;
    ASSERT_EQ(key_status(key, now), c.expected) << c.name << ": the case table disagrees with key_status()";
    ASSERT_TRUE(store_->insert_key(key, make_event("key.created")));
    expected[c.expected].push_back(key.id);
  }
  for (auto status : {KeyStatus::active, KeyStatus::disabled, KeyStatus::expired, KeyStatus::invalid}) {
    KeyFilter filter;
    filter.owner_id = owner.id;
    filter.status = status;
    filter.now = now;
    auto listed = store_->list_keys(filter, PageRequest{});
    ASSERT_TRUE(listed) << listed.error().message;
    EXPECT_EQ(ids(listed->items), expected[status]) << key_status_name(status);
  }
}

TEST_P(KeysContract, ListFiltersByExpiresBefore) {
  auto owner = add_user("alice");
  auto soon = make_key(owner, "openai", "soon");
  soon.expires_at = at(100);
  auto past = make_key(owner, "openai", "past");
  past.expires_at = at(-100);
  auto later = make_key(owner, "openai", "later");
  later.expires_at = at(1000);
  auto edge = make_key(owner, "openai", "edge");
  edge.expires_at = at(500);
  auto never = make_key(owner, "openai", "never");
  for (const auto* key : {&soon, &past, &later, &edge, &never})
    ASSERT_TRUE(store_->insert_key(*key, make_event("key.created")));

  KeyFilter filter;
  filter.owner_id = owner.id;
  filter.now = at(0);
  filter.expires_before = at(500);  // exclusive
  auto listed = store_->list_keys(filter, PageRequest{});
  ASSERT_TRUE(listed);
  EXPECT_EQ(ids(listed->items), (std::vector<std::string>{soon.id, past.id}));
}

TEST_P(KeysContract, KeysExpiringAreListedAcrossOwnersInPagesSoonestFirst) {
  auto alice = add_user("alice");
  auto bob = add_user("bob");
  std::vector<std::string> expected;
  for (int i = 0; i < 5; ++i) {
    auto key = make_key(i % 2 == 0 ? alice : bob, "openai", "k" + std::to_string(i));
    key.fingerprint = core::Bytes(32, static_cast<std::uint8_t>(100 + i));
    key.expires_at = at(100 + 10 * (4 - i));  // k4 expires first
    ASSERT_TRUE(store_->insert_key(key, make_event("key.created")));
    expected.insert(expected.begin(), key.id);
  }
  auto never = make_key(alice, "anthropic", "never");
  ASSERT_TRUE(store_->insert_key(never, make_event("key.created")));
  auto disabled = make_key(bob, "anthropic", "off");
  disabled.enabled = false;
  disabled.expires_at = at(50);
  ASSERT_TRUE(store_->insert_key(disabled, make_event("key.created")));

  std::vector<std::string> seen;
  std::optional<ExpiryPosition> after;
  for (int page = 0; page < 10; ++page) {
    auto keys = store_->keys_expiring_before(at(1000), after, 2);
    ASSERT_TRUE(keys) << keys.error().message;
    for (const auto& k : *keys) seen.push_back(k.id);
    if (keys->size() < 2) break;
    after = ExpiryPosition{*keys->back().expires_at, keys->back().id};
  }
  EXPECT_EQ(seen, expected) << "every enabled key with an expiry, soonest first, each once";
  auto soon = store_->keys_expiring_before(at(125), std::nullopt, 10);
  ASSERT_TRUE(soon);
  EXPECT_EQ(soon->size(), 3u) << "only those expiring before the bound";
}

}  // namespace
}  // namespace keyrelay::store::test
