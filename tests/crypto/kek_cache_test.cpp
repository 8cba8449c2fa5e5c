#include "crypto/kek_cache.h"

#include <gtest/gtest.h>

namespace keyrelay::crypto {
namespace {

using Purpose = KekCache::Purpose;

core::Secret key_of(std::uint8_t byte) { return core::Secret(core::Bytes(32, byte)); }
core::ByteView salt(std::string_view s) { return core::as_bytes(s); }

TEST(KekCache, FindsWhatWasInserted) {
  KekCache cache(4);
  EXPECT_FALSE(cache.find(Purpose::user_kek, 1, salt("alice")));
  cache.insert(Purpose::user_kek, 1, salt("alice"), key_of(1));
  auto hit = cache.find(Purpose::user_kek, 1, salt("alice"));
  ASSERT_TRUE(hit);
  EXPECT_TRUE(hit->equals(key_of(1)));
}

TEST(KekCache, VersionSaltAndPurposeAreAllPartOfTheKey) {
  KekCache cache(4);
  cache.insert(Purpose::user_kek, 1, salt("alice"), key_of(1));
  EXPECT_FALSE(cache.find(Purpose::user_kek, 2, salt("alice")));
  EXPECT_FALSE(cache.find(Purpose::user_kek, 1, salt("alicf")));
  EXPECT_FALSE(cache.find(Purpose::fingerprint, 1, salt("alice")));
}

TEST(KekCache, EvictsTheLeastRecentlyUsedEntryWhenFull) {
  KekCache cache(2);
  cache.insert(Purpose::user_kek, 1, salt("a"), key_of(1));
  cache.insert(Purpose::user_kek, 1, salt("b"), key_of(2));
  ASSERT_TRUE(cache.find(Purpose::user_kek, 1, salt("a")));  // "b" is now the oldest
  cache.insert(Purpose::user_kek, 1, salt("c"), key_of(3));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.find(Purpose::user_kek, 1, salt("a")));
  EXPECT_FALSE(cache.find(Purpose::user_kek, 1, salt("b")));
  EXPECT_TRUE(cache.find(Purpose::user_kek, 1, salt("c")));
}

TEST(KekCache, InsertingAnExistingKeyReplacesItWithoutGrowing) {
  KekCache cache(2);
  cache.insert(Purpose::user_kek, 1, salt("a"), key_of(1));
  cache.insert(Purpose::user_kek, 1, salt("a"), key_of(9));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_TRUE(cache.find(Purpose::user_kek, 1, salt("a"))->equals(key_of(9)));
}

TEST(KekCache, ClearDropsEverything) {
  KekCache cache(4);
  cache.insert(Purpose::user_kek, 1, salt("a"), key_of(1));
  cache.insert(Purpose::fingerprint, 1, salt("a"), key_of(2));
  cache.clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.find(Purpose::user_kek, 1, salt("a")));
}

TEST(KekCache, CapacityZeroCachesNothing) {
  KekCache cache(0);
  cache.insert(Purpose::user_kek, 1, salt("a"), key_of(1));
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.find(Purpose::user_kek, 1, salt("a")));
}

TEST(KekCache, AnEmptySaltIsAValidKey) {
  KekCache cache(2);
  cache.insert(Purpose::user_kek, 3, {}, key_of(5));
  EXPECT_TRUE(cache.find(Purpose::user_kek, 3, {}));
}

}  // namespace
}  // namespace keyrelay::crypto
