#include "crypto/scrypt.h"

#include <gtest/gtest.h>

#include "core/encoding.h"

namespace keyrelay::crypto {
namespace {

// RFC 7914 section 12, second vector.
TEST(Scrypt, MatchesRfc7914Vector2) {
  auto out = scrypt(core::as_bytes("password"), core::as_bytes("NaCl"), {10, 8, 16}, 64);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(core::hex_encode(out->reveal()),
            "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640");
}

// RFC 7914 section 12, third vector (16 MiB).
TEST(Scrypt, MatchesRfc7914Vector3) {
  auto out = scrypt(core::as_bytes("pleaseletmein"), core::as_bytes("SodiumChloride"), {14, 8, 1}, 64);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(core::hex_encode(out->reveal()),
            "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887");
}

TEST(Scrypt, RefusesAnEmptyPassphraseAndParametersOutOfRange) {
  const auto salt = core::as_bytes("salt");
  EXPECT_EQ(scrypt({}, salt, {}, 32).error().code, core::Errc::invalid_request);
  EXPECT_EQ(scrypt(core::as_bytes("pw"), salt, {0, 8, 1}, 32).error().code, core::Errc::invalid_request);
  EXPECT_EQ(scrypt(core::as_bytes("pw"), salt, {10, 0, 1}, 32).error().code, core::Errc::invalid_request);
  EXPECT_EQ(scrypt(core::as_bytes("pw"), salt, {10, 8, 0}, 32).error().code, core::Errc::invalid_request);
  // 2^24 * 128 * 8 = 16 GiB: over the 1 GiB bound, refused before any allocation.
  auto huge = scrypt(core::as_bytes("pw"), salt, {24, 8, 1}, 32);
  ASSERT_FALSE(huge);
  EXPECT_NE(huge.error().message.find("1 GiB"), std::string::npos);
  EXPECT_EQ(scrypt_memory({17, 8, 1}), 128ull * 8 * ((1ull << 17) + 1));
}

TEST(Scrypt, SaltAndParametersChangeTheKey) {
  auto a = scrypt(core::as_bytes("pw"), core::as_bytes("salt-a"), {10, 8, 1}, 32);
  auto b = scrypt(core::as_bytes("pw"), core::as_bytes("salt-b"), {10, 8, 1}, 32);
  auto c = scrypt(core::as_bytes("pw"), core::as_bytes("salt-a"), {11, 8, 1}, 32);
  ASSERT_TRUE(a && b && c);
  EXPECT_FALSE(a->equals(*b));
  EXPECT_FALSE(a->equals(*c));
}

}  // namespace
}  // namespace keyrelay::crypto
