#include "crypto/hmac.h"

#include <gtest/gtest.h>

#include <string>

#include "core/encoding.h"

namespace keyrelay::crypto {
namespace {

core::Bytes repeat(std::uint8_t byte, std::size_t n) { return core::Bytes(n, byte); }

core::Bytes unhex(std::string_view text) {
  auto bytes = core::hex_decode(text);
  EXPECT_TRUE(bytes) << text;
  return bytes.value_or(core::Bytes());
}

std::string hmac_hex(core::ByteView key, core::ByteView data) {
  return core::hex_encode(hmac_sha256(key, data));
}

// RFC 4231 section 4 test cases (case 5 tests truncation, which we do not do).
TEST(HmacSha256, MatchesRfc4231Case1) {
  EXPECT_EQ(hmac_hex(repeat(0x0b, 20), core::as_bytes("Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(HmacSha256, MatchesRfc4231Case2) {
  EXPECT_EQ(hmac_hex(core::as_bytes("Jefe"), core::as_bytes("what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256, MatchesRfc4231Case3) {
  EXPECT_EQ(hmac_hex(repeat(0xaa, 20), repeat(0xdd, 50)),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
}

TEST(HmacSha256, MatchesRfc4231Case4) {
  EXPECT_EQ(hmac_hex(unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"), repeat(0xcd, 50)),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
}

TEST(HmacSha256, MatchesRfc4231Case6WithKeyLongerThanABlock) {
  EXPECT_EQ(hmac_hex(repeat(0xaa, 131),
                     core::as_bytes("Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256, MatchesRfc4231Case7WithKeyAndDataLongerThanABlock) {
  EXPECT_EQ(
      hmac_hex(repeat(0xaa, 131),
               core::as_bytes("This is a test using a larger than block-size key and a larger "
                              "than block-size data. The key needs to be hashed before being "
                              "used by the HMAC algorithm.")),
      "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST(HmacSha256, AcceptsAnEmptyKeyAndEmptyData) {
  EXPECT_EQ(hmac_hex(core::ByteView(), core::ByteView()),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HmacSha256, DifferentKeysGiveDifferentMacs) {
  EXPECT_NE(hmac_sha256(repeat(1, 32), core::as_bytes("x")),
            hmac_sha256(repeat(2, 32), core::as_bytes("x")));
}

// The thread's context keeps its keyed state while the key stays the same: a key used again, one
// after another and interleaved with others, must give the RFC's values every time.
TEST(HmacSha256, TheSameKeyAgainAndKeysInTurnGiveTheRfcValues) {
  const auto case1 = [] { return hmac_hex(repeat(0x0b, 20), core::as_bytes("Hi There")); };
  const auto case2 = [] { return hmac_hex(core::as_bytes("Jefe"), core::as_bytes("what do ya want for nothing?")); };
  const std::string one = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7";
  const std::string two = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
  for (int i = 0; i < 3; ++i) EXPECT_EQ(case1(), one) << i;
  EXPECT_EQ(case2(), two);
  EXPECT_EQ(case1(), one);
  EXPECT_EQ(case2(), two);
  EXPECT_EQ(case2(), two);
  // A key that only shares a prefix with the one held is another key.
  EXPECT_EQ(hmac_hex(repeat(0x0b, 20), core::as_bytes("Hi There")), one);
  EXPECT_NE(hmac_hex(repeat(0x0b, 21), core::as_bytes("Hi There")), one);
  EXPECT_NE(hmac_hex(repeat(0x0b, 19), core::as_bytes("Hi There")), one);
  EXPECT_EQ(hmac_hex(core::ByteView(), core::ByteView()),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  EXPECT_EQ(hmac_hex(core::ByteView(), core::ByteView()),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

}  // namespace
}  // namespace keyrelay::crypto
