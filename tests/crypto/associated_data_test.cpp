#include "crypto/associated_data.h"

#include <gtest/gtest.h>

#include "core/encoding.h"

namespace keyrelay::crypto {
namespace {

std::string hex(const AssociatedData& aad) { return core::hex_encode(aad.view()); }

TEST(AssociatedData, StartsEmpty) { EXPECT_TRUE(AssociatedData().view().empty()); }

TEST(AssociatedData, PrefixesEachStringWithItsBigEndianLength) {
  AssociatedData aad;
  aad.add("ab").add("");
  EXPECT_EQ(hex(aad), "00000002" "6162" "00000000");
}

TEST(AssociatedData, WritesIntegersAsFixedWidthBigEndian) {
  AssociatedData aad;
  aad.add_u32(0x01020304).add_u64(0x05060708090a0b0cULL);
  EXPECT_EQ(hex(aad), "01020304" "05060708090a0b0c");
}

TEST(AssociatedData, BytesAndTextEncodeAlike) {
  AssociatedData text, bytes;
  text.add("key");
  bytes.add_bytes(core::as_bytes("key"));
  EXPECT_EQ(hex(text), hex(bytes));
}

TEST(AssociatedData, TheSplitPointBetweenFieldsMatters) {
  AssociatedData ab_c, a_bc;
  ab_c.add("ab").add("c");
  a_bc.add("a").add("bc");
  EXPECT_NE(hex(ab_c), hex(a_bc));
}

TEST(AssociatedData, EmptyFieldsAreNotDropped) {
  AssociatedData a, a_empty, empty_a;
  a.add("a");
  a_empty.add("a").add("");
  empty_a.add("").add("a");
  EXPECT_NE(hex(a), hex(a_empty));
  EXPECT_NE(hex(a), hex(empty_a));
  EXPECT_NE(hex(a_empty), hex(empty_a));
}

TEST(AssociatedData, AFieldCannotImitateALengthPrefix) {
  // ("a\0\0\0\1b") as one field must not equal the two fields ("a", "b").
  AssociatedData one, two;
  one.add(std::string_view("a\0\0\0\1b", 6));
  two.add("a").add("b");
  EXPECT_NE(hex(one), hex(two));
}

}  // namespace
}  // namespace keyrelay::crypto
