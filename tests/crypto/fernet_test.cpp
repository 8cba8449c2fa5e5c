// Fernet against the spec's own vectors (github.com/fernet/spec generate.json, verify.json,
// invalid.json; see shared/vectors/README.md), and the token rules crypto/fernet.h states.

#include "crypto/fernet.h"

#include <gtest/gtest.h>

#include <map>

#include "core/encoding.h"
#include "core/time_format.h"
#include "crypto/wycheproof.h"

namespace keyrelay::crypto {
namespace {

boost::json::array load_spec(std::string_view name) {
  const std::string path = std::string(KEYRELAY_TEST_VECTORS) + "/fernet/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return boost::json::parse(text).as_array();
}

std::string field(const boost::json::object& v, std::string_view name) { return std::string(v.at(name).as_string()); }

core::Secret key_of(const boost::json::object& v) {
  auto key = fernet_key_from_text(core::Secret(field(v, "secret")));
  if (!key) throw std::runtime_error("bad secret in a vector: " + key.error().message);
  return std::move(*key);
}

std::uint64_t unix_seconds(const boost::json::object& v) {
  const auto at = core::parse_rfc3339(field(v, "now"));
  if (!at) throw std::runtime_error("bad time in a vector");
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(at->time_since_epoch()).count());
}

TEST(FernetSpec, GenerateGivesTheSpecsTokenExactly) {
  const auto vectors = load_spec("generate.json");
  ASSERT_EQ(vectors.size(), 1u);
  for (const auto& vv : vectors) {
    const auto& v = vv.as_object();
    std::array<std::uint8_t, kFernetIvSize> iv{};
    for (std::size_t i = 0; i < iv.size(); ++i) iv[i] = v.at("iv").as_array().at(i).to_number<std::uint8_t>();
    EXPECT_EQ(unix_seconds(v), 499162800u) << "1985-10-26T01:20:00-07:00";
    auto token = fernet_encrypt(key_of(v), core::as_bytes(field(v, "src")), iv, unix_seconds(v));
    ASSERT_TRUE(token) << token.error().message;
    EXPECT_EQ(*token, field(v, "token"));
  }
}

TEST(FernetSpec, VerifyOpensTheSpecsToken) {
  const auto vectors = load_spec("verify.json");
  ASSERT_EQ(vectors.size(), 1u);
  for (const auto& vv : vectors) {
    const auto& v = vv.as_object();
    auto plain = fernet_decrypt(key_of(v), field(v, "token"));
    ASSERT_TRUE(plain) << plain.error().message;
    EXPECT_EQ(plain->reveal_text(), field(v, "src"));
  }
}

// Every invalid.json token is refused for its own reason, except the two whose fault is their age
// against `now` and `ttl_sec`: an import applies no TTL (like cryptography's decrypt() without
// ttl, which opens both, to an empty message).
TEST(FernetSpec, InvalidTokensAreRefusedWithTheirReason) {
  const std::map<std::string, std::string> reason_of{
      {"incorrect mac", "HMAC mismatch"},
      {"too short", "too short"},
      {"invalid base64", "not valid base64url"},
      {"payload size not multiple of block size", "not a whole number of AES blocks"},
      {"payload padding error", "bad padding"},
      {"incorrect IV (causes padding error)", "bad padding"},
  };
  const auto vectors = load_spec("invalid.json");
  std::size_t refused = 0, time_based = 0;
  for (const auto& vv : vectors) {
    const auto& v = vv.as_object();
    const std::string desc = field(v, "desc");
    auto plain = fernet_decrypt(key_of(v), field(v, "token"));
    if (desc == "far-future TS (unacceptable clock skew)" || desc == "expired TTL") {
      ++time_based;
      ASSERT_TRUE(plain) << desc << ": " << plain.error().message;
      EXPECT_TRUE(plain->empty()) << desc;
      continue;
    }
    ASSERT_TRUE(reason_of.contains(desc)) << "no expected reason for \"" << desc << "\"";
    ASSERT_FALSE(plain) << desc << " was accepted";
    ++refused;
    EXPECT_EQ(plain.error().code, core::Errc::invalid_request) << desc;
    EXPECT_NE(plain.error().message.find(reason_of.at(desc)), std::string::npos)
        << desc << ": got \"" << plain.error().message << "\"";
  }
  EXPECT_EQ(vectors.size(), 8u);
  EXPECT_EQ(refused, 6u);
  EXPECT_EQ(time_based, 2u);
}

class FernetTokens : public ::testing::Test {
 protected:
  core::Secret key = core::Secret(core::Bytes(32, 0x42));
  std::array<std::uint8_t, kFernetIvSize> iv{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  std::string token(std::string_view text) { return *fernet_encrypt(key, core::as_bytes(text), iv, 1700000000); }
};

TEST_F(FernetTokens, RoundTripsWithAndWithoutPadding) {
  for (std::string_view text : {"", "x", "sk-proj-0123456789abcdef", "exactly-16-bytes"}) {
    const std::string padded = token(text);
    ASSERT_EQ(padded.size() % 4, 0u);
    auto opened = fernet_decrypt(key, padded);
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(opened->reveal_text(), text);
    const std::string bare = padded.substr(0, padded.find('='));
    auto opened_bare = fernet_decrypt(key, bare);
    ASSERT_TRUE(opened_bare) << opened_bare.error().message;
    EXPECT_EQ(opened_bare->reveal_text(), text);
  }
}

TEST_F(FernetTokens, RefusesTamperingAnywhere) {
  const std::string good = token("sk-proj-secret-value");
  auto bytes = *core::base64url_decode(good.substr(0, good.find('=')));
  for (std::size_t at : {std::size_t{0}, std::size_t{5}, std::size_t{20}, std::size_t{40}, bytes.size() - 1}) {
    auto changed = bytes;
    changed[at] ^= 0x01;
    auto opened = fernet_decrypt(key, core::base64url_encode(changed));
    ASSERT_FALSE(opened) << "a flipped bit at byte " << at << " was accepted";
    const std::string expected = at == 0 ? "unknown version" : "HMAC mismatch";
    EXPECT_NE(opened.error().message.find(expected), std::string::npos) << at << ": " << opened.error().message;
    EXPECT_EQ(opened.error().message.find("secret-value"), std::string::npos);
  }
}

TEST_F(FernetTokens, RefusesAnotherKeyAndBadPadding) {
  const std::string good = token("sk-proj-secret-value");
  auto other = fernet_decrypt(core::Secret(core::Bytes(32, 0x43)), good);
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message.find("HMAC mismatch"), std::string::npos);
  for (std::string_view bad : {good.substr(0, good.size() - 1) + "==", "=" + good, good + "=", good + "==="}) {
    auto opened = fernet_decrypt(key, bad);
    EXPECT_FALSE(opened) << bad;
  }
  EXPECT_EQ(fernet_decrypt(core::Secret(core::Bytes(16, 1)), good).error().code, core::Errc::invalid_request);
}

TEST(FernetKey, ReadsTheTextFormOnly) {
  const std::string text = core::base64url_encode(core::Bytes(32, 7)) + "=";
  auto key = fernet_key_from_text(core::Secret(text));
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_TRUE(key->equals(core::Bytes(32, 7)));
  EXPECT_FALSE(fernet_key_from_text(core::Secret(core::base64url_encode(core::Bytes(31, 7)))));
  EXPECT_FALSE(fernet_key_from_text(core::Secret(core::base64_encode(core::Bytes(32, 0xfb)))))
      << "standard base64 ('+', '/') is not a Fernet key";
  EXPECT_FALSE(fernet_key_from_text(core::Secret(std::string_view(""))));
}

}  // namespace
}  // namespace keyrelay::crypto
