#include "core/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace keyrelay::core {
namespace {

TEST(Ids, V4HasVersionAndVariantBits) {
  const std::string id = uuid_v4();
  ASSERT_TRUE(is_uuid(id)) << id;
  EXPECT_EQ(id[14], '4');
  EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b') << id;
}

TEST(Ids, V7StartsWithTheTimestampInMilliseconds) {
  const auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(0x0123456789ab));
  const std::string id = uuid_v7(t);
  ASSERT_TRUE(is_uuid(id)) << id;
  EXPECT_EQ(id.substr(0, 13), "01234567-89ab");
  EXPECT_EQ(id[14], '7');
}

TEST(Ids, V7SortsByCreationTime) {
  using namespace std::chrono;
  const auto t = system_clock::now();
  EXPECT_LT(uuid_v7(t), uuid_v7(t + milliseconds(1)));
}

TEST(Ids, AreUniqueAcrossManyDraws) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(uuid_v4());
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(Ids, IsUuidRejectsOtherShapes) {
  EXPECT_FALSE(is_uuid(""));
  EXPECT_FALSE(is_uuid("0123456789ab-cdef-0123-456789abcdef"));
  EXPECT_FALSE(is_uuid("01234567-89AB-4def-8123-456789abcdef"));  // uppercase is not canonical
  EXPECT_FALSE(is_uuid("01234567-89ab-4def-8123-456789abcdeg"));
}

}  // namespace
}  // namespace keyrelay::core
