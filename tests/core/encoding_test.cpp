#include "core/encoding.h"

#include <gtest/gtest.h>

namespace keyrelay::core {
namespace {

std::string text(const std::optional<Bytes>& b) { return b ? std::string(as_chars(*b)) : "<none>"; }

TEST(Hex, RoundTripsAndAcceptsEitherCase) {
  const Bytes bytes{0x00, 0x7f, 0xab, 0xff};
  EXPECT_EQ(hex_encode(bytes), "007fabff");
  EXPECT_EQ(*hex_decode("007FABff"), bytes);
}

TEST(Hex, RejectsOddLengthAndBadDigits) {
  EXPECT_FALSE(hex_decode("abc"));
  EXPECT_FALSE(hex_decode("zz"));
}

// RFC 4648 §10 test vectors.
TEST(Base64, MatchesRfc4648Vectors) {
  const std::pair<const char*, const char*> cases[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(base64_encode(as_bytes(plain)), encoded);
    EXPECT_EQ(text(base64_decode(encoded)), plain);
  }
}

TEST(Base64, RejectsWhitespaceBadPaddingAndNonCanonicalBits) {
  EXPECT_FALSE(base64_decode("Zm9v\n"));
  EXPECT_FALSE(base64_decode("Zm 9v"));
  EXPECT_FALSE(base64_decode("Zg="));    // wrong padding length
  EXPECT_FALSE(base64_decode("Zg"));     // padding required
  EXPECT_FALSE(base64_decode("Z==="));
  EXPECT_FALSE(base64_decode("Zh=="));   // trailing bits set: not the canonical form of "f"
  EXPECT_FALSE(base64_decode("Zm9v-_=="));
}

TEST(Base64Url, UsesTheUrlAlphabetWithoutPadding) {
  const Bytes bytes{0xfb, 0xff, 0xbf};
  EXPECT_EQ(base64url_encode(bytes), "-_-_");
  EXPECT_EQ(*base64url_decode("-_-_"), bytes);
  EXPECT_EQ(base64url_encode(as_bytes("f")), "Zg");
  EXPECT_FALSE(base64url_decode("Zg=="));
  EXPECT_FALSE(base64url_decode("+/+/"));
  EXPECT_FALSE(base64url_decode("Z"));
}

TEST(PercentEncode, KeepsUnreservedCharactersAndEncodesTheRest) {
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("a b/c+d=e&f"), "a%20b%2Fc%2Bd%3De%26f");
  EXPECT_EQ(percent_encode("\xff"), "%FF");
  EXPECT_EQ(percent_encode(""), "");
}

}  // namespace
}  // namespace keyrelay::core
