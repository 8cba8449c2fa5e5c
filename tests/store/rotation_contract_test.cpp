// Contract: master-key rotation support — finding keys on other versions, re-wrapping in batches
// that skip rows moved meanwhile, and counting the rows that still depend on each version.

#include "store/store.h"

#include "store_contract.h"

namespace keyrelay::store::test {
namespace {

class RotationContract : public StoreContract {
 protected:
  KeyRecord add_key_on(const UserRecord& owner, std::string_view name, std::uint32_t master_version) {
    auto key = make_key(owner, "openai", name);
    key.master_version = master_version;
    auto inserted = store_->insert_key(key, make_event("key.created"));
    EXPECT_TRUE(inserted) << inserted.error().message;
    return key;
  }
};
KEYRELAY_STORE_CONTRACT(RotationContract);

TEST_P(RotationContract, KeysNotOnVersionSpansOwnersUpToTheLimit) {
  auto alice = add_user("alice");
  auto bob = add_user("bob");
  auto a1 = add_key_on(alice, "a1", 1);
  add_key_on(alice, "a2", 2);
  auto b1 = add_key_on(bob, "b1", 1);
  auto b3 = add_key_on(bob, "b3", 3);

  auto all = store_->keys_not_on_version(2, 100);
  ASSERT_TRUE(all);
  auto got = ids(*all);
  std::sort(got.begin(), got.end());
  std::vector<std::string> expected{a1.id, b1.id, b3.id};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(got, expected);

  auto limited = store_->keys_not_on_version(2, 2);
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->size(), 2u);
  auto none = store_->keys_not_on_version(2, 0);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_P(RotationContract, RewrapUpdatesOnlyRowsStillOnTheirFromVersion) {
  auto alice = add_user("alice");
  auto stays = add_key_on(alice, "stays", 1);
  auto moves = add_key_on(alice, "moves", 1);
  auto moved_meanwhile = add_key_on(alice, "moved", 2);  // another node re-wrapped it already

  const core::Bytes new_dek(60, 0xd1), new_fp(32, 0xf1), other_fp(32, 0xf2), stale_fp(32, 0xf3);
  auto changed = store_->rewrap_keys({
      {moves.id, 1, moves.version, 3, new_dek, new_fp},
      {moved_meanwhile.id, 1, moved_meanwhile.version, 3, new_dek, stale_fp},
      {"no-such-key", 1, 1, 3, new_dek, other_fp},
  });
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(*changed, 1u);

  auto got = store_->get_key(alice.id, moves.id);
  ASSERT_TRUE(got);
  auto expected = moves;
  expected.master_version = 3;
  expected.wrapped_data_key = new_dek;
  expected.fingerprint = new_fp;
  EXPECT_EQ(text(*got), text(expected)) << "only version, data key and fingerprint change";

  auto untouched = store_->get_key(alice.id, moved_meanwhile.id);
  ASSERT_TRUE(untouched);
  EXPECT_EQ(text(*untouched), text(moved_meanwhile));
  auto unchanged = store_->get_key(alice.id, stays.id);
  ASSERT_TRUE(unchanged);
  EXPECT_EQ(text(*unchanged), text(stays));

  auto empty = store_->rewrap_keys({});
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, 0u);
}

TEST_P(RotationContract, RewrapSkipsAKeyGivenANewSecretSinceItWasRead) {
  auto alice = add_user("alice");
  auto key = add_key_on(alice, "raced", 1);
  // Another server rotates the secret (still sealing under version 1) after the re-wrapper read it.
  auto rotated = store_->update_key(alice.id, key.id, [this](KeyRecord& k) -> core::Result<AuditEvent> {
    k.version += 1;
    k.sealed_secret = core::Bytes(48, 0x77);
    k.wrapped_data_key = core::Bytes(60, 0x78);
    return make_event("key.rotated");
  });
  ASSERT_TRUE(rotated) << rotated.error().message;
  auto changed = store_->rewrap_keys({{key.id, 1, key.version, 2, core::Bytes(60, 0xd1), core::Bytes(32, 0xf1)}});
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(*changed, 0u) << "the stale data key must not be stored beside the new secret";
  auto got = store_->get_key(alice.id, key.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->master_version, 1u);
  EXPECT_EQ(got->wrapped_data_key, core::Bytes(60, 0x78));
}

TEST_P(RotationContract, RowsByMasterVersionCountsSealedKeysOnly) {
  auto alice = add_user("alice");  // an audit event on version 1: not counted
  add_key_on(alice, "a", 1);
  sealer_.set_master_version(2);
  add_key_on(alice, "b", 2);
  add_key_on(alice, "c", 5);
  ASSERT_TRUE(store_->append_audit({make_event("key.used", "n/use")}));  // not counted

  auto rows = store_->rows_by_master_version();
  ASSERT_TRUE(rows) << rows.error().message;
  const std::map<std::uint32_t, std::int64_t> expected{{1, 1}, {2, 1}, {5, 1}};
  EXPECT_EQ(*rows, expected);
}

TEST_P(RotationContract, RowsByMasterVersionIsEmptyForANewStore) {
  auto rows = store_->rows_by_master_version();
  ASSERT_TRUE(rows);
  EXPECT_TRUE(rows->empty());
}

}  // namespace
}  // namespace keyrelay::store::test
