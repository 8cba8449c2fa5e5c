#include "auth/access_token.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/encoding.h"
#include "crypto/digest.h"

namespace keyrelay::auth {
namespace {

std::string text_of(const IssuedToken& t) { return std::string(t.text.reveal_text()); }

TEST(AccessToken, IssuedTextHasPrefixAnd43Base64urlCharacters) {
  auto issued = issue_token_text();
  ASSERT_TRUE(issued) << issued.error().message;
  const std::string text = text_of(*issued);
  EXPECT_EQ(text.size(), 46u);
  EXPECT_EQ(text.size(), kAccessTokenLength);
  EXPECT_TRUE(text.starts_with("kr_"));
  auto decoded = core::base64url_decode(std::string_view(text).substr(3));
  ASSERT_TRUE(decoded) << "body is not strict base64url";
  EXPECT_EQ(decoded->size(), 32u);
  EXPECT_TRUE(looks_like_access_token(text));
}

TEST(AccessToken, IssuedTokensAreUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto issued = issue_token_text();
    ASSERT_TRUE(issued);
    EXPECT_TRUE(seen.insert(text_of(*issued)).second) << "duplicate token at " << i;
  }
}

TEST(AccessToken, HashIsSha256OfTheWholeText) {
  auto issued = issue_token_text();
  ASSERT_TRUE(issued);
  const auto digest = crypto::sha256(issued->text.reveal());
  EXPECT_EQ(issued->hash, core::Bytes(digest.begin(), digest.end()));
  EXPECT_EQ(token_hash(issued->text.reveal_text()), issued->hash);
}

TEST(AccessToken, TokenHashMatchesKnownSha256) {
  // SHA-256("abc"), FIPS 180-2.
  EXPECT_EQ(core::hex_encode(token_hash("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(token_hash("kr_a").size(), 32u);
  EXPECT_NE(token_hash("kr_a"), token_hash("kr_b"));
}

TEST(AccessToken, LooksLikeAcceptsWellFormedText) {
  EXPECT_TRUE(looks_like_access_token("kr_" + std::string(43, 'A')));
  EXPECT_TRUE(looks_like_access_token("kr_" + std::string(42, '-') + "w"));
  EXPECT_TRUE(looks_like_access_token("kr_" + std::string(42, '_') + "0"));
}

TEST(AccessToken, LooksLikeRejectsJwts) {
  const std::string jwt =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
      "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
  EXPECT_FALSE(looks_like_access_token(jwt));
  EXPECT_FALSE(looks_like_access_token("kr_" + std::string(20, 'a') + "." + std::string(22, 'b')));
}

TEST(AccessToken, LooksLikeRejectsWrongLengthPrefixOrCharacters) {
  const std::string good = "kr_" + std::string(43, 'A');
  EXPECT_FALSE(looks_like_access_token(""));
  EXPECT_FALSE(looks_like_access_token("kr_"));
  EXPECT_FALSE(looks_like_access_token(good.substr(0, 45)));  // short
  EXPECT_FALSE(looks_like_access_token(good + "A"));           // long
  EXPECT_FALSE(looks_like_access_token("KR_" + std::string(43, 'A')));
  EXPECT_FALSE(looks_like_access_token("sk_" + std::string(43, 'A')));
  for (char bad : std::string("+/=. \t\n\0%", 10)) {
    std::string text = good;
    text[10] = bad;
    EXPECT_FALSE(looks_like_access_token(text)) << "character code " << int(bad);
  }
}

TEST(AccessToken, LooksLikeRejectsNonCanonicalLastCharacter) {
  // 'B' has value 1: its unused low bits are not zero, so no 32-byte value encodes to it.
  EXPECT_FALSE(looks_like_access_token("kr_" + std::string(42, 'A') + "B"));
  EXPECT_TRUE(looks_like_access_token("kr_" + std::string(42, 'A') + "E"));
}

}  // namespace
}  // namespace keyrelay::auth
