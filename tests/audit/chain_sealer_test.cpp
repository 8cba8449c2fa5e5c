#include "audit/chain_sealer.h"

#include <gtest/gtest.h>

#include "audit/audit_key.h"
#include "audit/canonical.h"
#include "audit_test_util.h"

namespace keyrelay::audit {
namespace {

core::Bytes expected_hash(const crypto::Keyring& keyring, const store::AuditEvent& e, core::ByteView prev) {
  auto key = derive_audit_key(keyring, e.master_version);
  EXPECT_TRUE(key);
  const auto link = chain_link(key->reveal(), prev, e.seq, canonical_event(e));
  return core::Bytes(link.begin(), link.end());
}

TEST(KeyringChainSealer, SealsWithTheActiveVersion) {
  const auto keyring = testing::keyring_with(3, 2);
  KeyringChainSealer sealer(keyring);
  auto event = testing::sample_event("w1/mgmt", 1);
  event.seq = 1;
  ASSERT_TRUE(sealer.seal(event, {}));
  EXPECT_EQ(event.master_version, 2u);
  EXPECT_EQ(event.hash.size(), 32u);
  EXPECT_EQ(event.hash, expected_hash(*keyring, event, {}));
}

TEST(KeyringChainSealer, LinksToThePreviousHash) {
  const auto keyring = testing::single_keyring();
  KeyringChainSealer sealer(keyring);
  auto first = testing::sample_event("w1/mgmt", 1);
  first.seq = 1;
  ASSERT_TRUE(sealer.seal(first, {}));
  auto second = testing::sample_event("w1/mgmt", 2);
  second.seq = 2;
  ASSERT_TRUE(sealer.seal(second, first.hash));
  EXPECT_EQ(second.hash, expected_hash(*keyring, second, first.hash));
  EXPECT_NE(second.hash, expected_hash(*keyring, second, core::Bytes(32, 0)));
}

TEST(KeyringChainSealer, CoversTheMasterVersionItSets) {
  const auto keyring = testing::keyring_with(2, 2);
  KeyringChainSealer sealer(keyring);
  auto event = testing::sample_event("w1/mgmt", 1);
  event.seq = 1;
  event.master_version = 1;  // whatever the caller left there is overwritten, then covered
  ASSERT_TRUE(sealer.seal(event, {}));
  EXPECT_EQ(event.master_version, 2u);
  auto relabelled = event;
  relabelled.master_version = 1;
  EXPECT_NE(expected_hash(*keyring, relabelled, {}), event.hash);
}

TEST(KeyringChainSealer, UsesTheNewActiveVersionAfterReplace) {
  KeyringChainSealer sealer(testing::keyring_with(2, 1));
  auto before = testing::sample_event("w1/mgmt", 1);
  before.seq = 1;
  ASSERT_TRUE(sealer.seal(before, {}));
  EXPECT_EQ(before.master_version, 1u);

  const auto rotated = testing::keyring_with(2, 2);
  sealer.replace_keyring(rotated);
  EXPECT_EQ(sealer.keyring(), rotated);
  auto after = testing::sample_event("w1/mgmt", 2);
  after.seq = 2;
  ASSERT_TRUE(sealer.seal(after, before.hash));
  EXPECT_EQ(after.master_version, 2u);
  EXPECT_EQ(after.hash, expected_hash(*rotated, after, before.hash));
}

TEST(KeyringChainSealer, RejectsLinksTheStoreGotWrong) {
  KeyringChainSealer sealer(testing::single_keyring());
  auto event = testing::sample_event("w1/mgmt", 1);

  event.seq = 0;
  auto no_seq = sealer.seal(event, {});
  ASSERT_FALSE(no_seq);
  EXPECT_EQ(no_seq.error().code, core::Errc::internal);

  event.seq = 2;
  EXPECT_FALSE(sealer.seal(event, {}));  // seq 2 needs the hash of seq 1

  event.seq = 1;
  const core::Bytes prev(32, 7);
  EXPECT_FALSE(sealer.seal(event, prev));  // the first event has no previous hash
  EXPECT_TRUE(event.hash.empty());
  EXPECT_EQ(event.master_version, 0u);
}

}  // namespace
}  // namespace keyrelay::audit
