#include "crypto/hkdf.h"

#include <gtest/gtest.h>

#include "core/encoding.h"

namespace keyrelay::crypto {
namespace {

core::Bytes unhex(std::string_view text) { return core::hex_decode(text).value(); }

// RFC 5869 appendix A.1.
TEST(HkdfSha256, MatchesRfc5869Case1) {
  auto okm = hkdf_sha256(core::Bytes(22, 0x0b), unhex("000102030405060708090a0b0c"),
                         unhex("f0f1f2f3f4f5f6f7f8f9"), 42);
  ASSERT_TRUE(okm);
  EXPECT_EQ(core::hex_encode(okm->reveal()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

// RFC 5869 appendix A.3: no salt and no info.
TEST(HkdfSha256, EmptySaltAndInfoMatchRfc5869Case3) {
  auto okm = hkdf_sha256(core::Bytes(22, 0x0b), {}, {}, 42);
  ASSERT_TRUE(okm);
  EXPECT_EQ(core::hex_encode(okm->reveal()),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST(HkdfSha256, EmptySaltEqualsThirtyTwoZeroBytes) {
  const core::Bytes ikm(32, 0x11);
  auto none = hkdf_sha256(ikm, {}, core::as_bytes("x"), 32);
  auto zeros = hkdf_sha256(ikm, core::Bytes(32, 0), core::as_bytes("x"), 32);
  ASSERT_TRUE(none && zeros);
  EXPECT_TRUE(none->equals(*zeros));
}

TEST(HkdfSha256, DifferentInfoOrSaltGivesDifferentKeys) {
  const core::Bytes ikm(32, 0x11);
  auto a = hkdf_sha256(ikm, core::as_bytes("salt"), core::as_bytes("keyrelay/user-kek/v1"), 32);
  auto b = hkdf_sha256(ikm, core::as_bytes("salt"), core::as_bytes("keyrelay/fingerprint/v1"), 32);
  auto c = hkdf_sha256(ikm, core::as_bytes("salT"), core::as_bytes("keyrelay/user-kek/v1"), 32);
  ASSERT_TRUE(a && b && c);
  EXPECT_FALSE(a->equals(*b));
  EXPECT_FALSE(a->equals(*c));
}

TEST(HkdfSha256, AcceptsTheMaximalSize) {
  auto okm = hkdf_sha256(core::Bytes(32, 1), {}, {}, kHkdfSha256MaxSize);
  ASSERT_TRUE(okm);
  EXPECT_EQ(okm->size(), 8160u);
}

TEST(HkdfSha256, RefusesSizeZeroAndSizesAbove8160) {
  for (std::size_t size : {std::size_t{0}, kHkdfSha256MaxSize + 1, std::size_t{1} << 20}) {
    auto okm = hkdf_sha256(core::Bytes(32, 1), {}, {}, size);
    ASSERT_FALSE(okm) << size;
    EXPECT_EQ(okm.error().code, core::Errc::invalid_request);
  }
}

TEST(HkdfSha256, RefusesEmptyInputKeyMaterial) {
  auto okm = hkdf_sha256({}, core::as_bytes("salt"), {}, 32);
  ASSERT_FALSE(okm);
  EXPECT_EQ(okm.error().code, core::Errc::invalid_request);
}

}  // namespace
}  // namespace keyrelay::crypto
