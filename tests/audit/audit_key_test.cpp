#include "audit/audit_key.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "audit_test_util.h"
#include "crypto/hkdf.h"

namespace keyrelay::audit {
namespace {

TEST(DeriveAuditKey, IsHkdfOfTheMasterKeyWithTheAuditInfo) {
  const auto keyring = testing::keyring_with(2, 2);
  for (std::uint32_t v : {1u, 2u}) {
    auto key = derive_audit_key(*keyring, v);
    ASSERT_TRUE(key);
    auto master = keyring->key(v);
    ASSERT_TRUE(master);
    auto expected = crypto::hkdf_sha256(*master, {}, core::as_bytes("keyrelay/audit/v1"), 32);
    ASSERT_TRUE(expected);
    EXPECT_TRUE(key->equals(*expected)) << "version " << v;
  }
}

TEST(DeriveAuditKey, DiffersPerVersion) {
  const auto keyring = testing::keyring_with(2, 2);
  auto v1 = derive_audit_key(*keyring, 1);
  auto v2 = derive_audit_key(*keyring, 2);
  ASSERT_TRUE(v1 && v2);
  EXPECT_FALSE(v1->equals(*v2));
}

TEST(DeriveAuditKey, MissingVersionIsNotFoundNamingIt) {
  const auto keyring = testing::single_keyring();
  auto key = derive_audit_key(*keyring, 7);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, core::Errc::not_found);
  EXPECT_EQ(key.error().message, "master key version 7 is not in the keyring");
}

TEST(DeriveAuditKey, RetiredVersionGivesTheAuditKeyTheKeyringKept) {
  const auto keyring = testing::keyring_with(2, 2);
  auto v1 = derive_audit_key(*keyring, 1);
  ASSERT_TRUE(v1);
  auto retired = keyring->with_retired(1, v1->reveal());
  ASSERT_TRUE(retired) << retired.error().message;
  EXPECT_FALSE(retired->key(1));  // the master key is gone
  auto kept = derive_audit_key(*retired, 1);
  ASSERT_TRUE(kept);
  EXPECT_TRUE(kept->equals(*v1));
}

TEST(AuditKeys, ActiveKeyIsTheActiveVersion) {
  AuditKeys keys(testing::keyring_with(3, 2));
  auto active = keys.active_key();
  ASSERT_TRUE(active);
  EXPECT_EQ(active->version, 2u);
  auto direct = derive_audit_key(*keys.keyring(), 2);
  ASSERT_TRUE(direct);
  EXPECT_TRUE(active->key.equals(*direct));
}

TEST(AuditKeys, CachesPerVersionAndWipesOnReplace) {
  AuditKeys keys(testing::keyring_with(2, 2));
  ASSERT_TRUE(keys.key(1));
  ASSERT_TRUE(keys.key(2));
  ASSERT_TRUE(keys.key(2));
  EXPECT_EQ(keys.cached(), 2u);
  EXPECT_FALSE(keys.key(9));
  EXPECT_EQ(keys.cached(), 2u);

  // Same version numbers, different keys: nothing of the old keyring may be served.
  keys.replace_keyring(testing::single_keyring(0x55));
  EXPECT_EQ(keys.cached(), 0u);
  auto v1 = keys.key(1);
  ASSERT_TRUE(v1);
  auto expected = derive_audit_key(*testing::single_keyring(0x55), 1);
  ASSERT_TRUE(expected);
  EXPECT_TRUE(v1->equals(*expected));
  EXPECT_FALSE(keys.key(2));
}

TEST(AuditKeys, ConcurrentReadersAndReplacementsAgree) {
  const auto a = testing::single_keyring(0x01);
  const auto b = testing::single_keyring(0x02);
  auto key_a = derive_audit_key(*a, 1);
  auto key_b = derive_audit_key(*b, 1);
  ASSERT_TRUE(key_a && key_b);
  AuditKeys keys(a);
  std::vector<std::thread> readers;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        auto k = keys.active_key();
        if (!k || !(k->key.equals(*key_a) || k->key.equals(*key_b))) ++wrong;
      }
    });
  }
  for (int i = 0; i < 200; ++i) keys.replace_keyring(i % 2 ? a : b);
  for (auto& r : readers) r.join();
  EXPECT_EQ(wrong.load(), 0);
  keys.replace_keyring(a);
  auto last = keys.key(1);
  ASSERT_TRUE(last);
  EXPECT_TRUE(last->equals(*key_a));
}

}  // namespace
}  // namespace keyrelay::audit
