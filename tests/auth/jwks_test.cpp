#include "auth/jwks.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "jose_vectors.h"
#include "support/temp_dir.h"

namespace keyrelay::auth {
namespace {

namespace json = boost::json;
using test::load_vector;
using test::public_jwk;

json::object rsa_jwk(std::optional<std::string> kid) {
  auto jwk = public_jwk(load_vector("4_1.rsa_v15_signature.json").at("input").at("key").as_object());
  jwk.erase("kid");
  if (kid) jwk["kid"] = *kid;
  return jwk;
}

json::object ec_jwk(std::optional<std::string> kid) {
  auto jwk = public_jwk(
      load_vector("rfc7515_appendix_a_examples.json").at("examples").at(1).at("jwk").as_object());
  if (kid) jwk["kid"] = *kid;
  return jwk;
}

std::string key_set(std::initializer_list<json::value> keys) {
  json::array list;
  for (const auto& k : keys) list.push_back(k);
  return json::serialize(json::object{{"keys", std::move(list)}});
}

std::string refusal(std::string_view text) {
  auto jwks = Jwks::parse(text);
  if (jwks) return "(accepted)";
  EXPECT_EQ(jwks.error().code, core::Errc::invalid_request);
  return jwks.error().message;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(Jwks, RsaAndEcKeysAreFoundByKid) {
  auto jwks = Jwks::parse(key_set({rsa_jwk("r1"), ec_jwk("e1")}));
  ASSERT_TRUE(jwks) << jwks.error().message;
  EXPECT_EQ(jwks->size(), 2u);
  const PublicKey* r = jwks->find("r1");
  const PublicKey* e = jwks->find("e1");
  ASSERT_NE(r, nullptr);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(r->algorithm(), JwsAlgorithm::rs256);
  EXPECT_EQ(e->algorithm(), JwsAlgorithm::es256);
  EXPECT_EQ(jwks->find("r2"), nullptr);
  EXPECT_EQ(jwks->find("R1"), nullptr);
  EXPECT_EQ(jwks->find(std::nullopt), nullptr) << "two keys and no kid is ambiguous";
}

TEST(Jwks, SingleKeyWithoutKidServesTokensWithoutKid) {
  auto jwks = Jwks::parse(key_set({ec_jwk(std::nullopt)}));
  ASSERT_TRUE(jwks) << jwks.error().message;
  EXPECT_NE(jwks->find(std::nullopt), nullptr);
  EXPECT_EQ(jwks->find("e1"), nullptr) << "a token naming a kid must find exactly that kid";
}

TEST(Jwks, SingleKeyWithKidAlsoServesTokensWithoutKid) {
  auto jwks = Jwks::parse(key_set({rsa_jwk("r1")}));
  ASSERT_TRUE(jwks);
  EXPECT_EQ(jwks->find(std::nullopt), jwks->find("r1"));
}

TEST(Jwks, KeyWithoutKidIsRefusedInALargerSet) {
  const auto message = refusal(key_set({rsa_jwk("r1"), ec_jwk(std::nullopt)}));
  EXPECT_TRUE(contains(message, "key #2")) << message;
  EXPECT_TRUE(contains(message, "no kid")) << message;
}

TEST(Jwks, DuplicateKidIsRefused) {
  const auto message = refusal(key_set({rsa_jwk("same"), ec_jwk("same")}));
  EXPECT_TRUE(contains(message, "key #2 (kid 'same')")) << message;
  EXPECT_TRUE(contains(message, "duplicate")) << message;
}

TEST(Jwks, OneBadKeyRefusesTheSetAndIsNamed) {
  auto oct = json::object{{"kty", "oct"}, {"kid", "hmac"}, {"k", "c2VjcmV0"}};
  auto message = refusal(key_set({rsa_jwk("r1"), oct}));
  EXPECT_TRUE(contains(message, "key #2 (kid 'hmac')")) << message;
  EXPECT_TRUE(contains(message, "oct")) << message;

  auto small = rsa_jwk("small");
  small["n"] = std::string(small.at("n").as_string()).substr(0, 100);
  message = refusal(key_set({small}));
  EXPECT_TRUE(contains(message, "key #1 (kid 'small')")) << message;

  message = refusal(key_set({json::object{{"kty", "OKP"}, {"kid", "ed"}}}));
  EXPECT_TRUE(contains(message, "unsupported")) << message;

  message = refusal(key_set({json::value("not an object")}));
  EXPECT_TRUE(contains(message, "key #1: not a JSON object")) << message;
}

TEST(Jwks, MalformedSetsAreRefused) {
  EXPECT_TRUE(contains(refusal("{\"keys\": ["), "not valid JSON"));
  EXPECT_TRUE(contains(refusal("{}"), "no \"keys\""));
  EXPECT_TRUE(contains(refusal("{\"keys\": {}}"), "no \"keys\""));
  EXPECT_TRUE(contains(refusal("[]"), "no \"keys\""));
  EXPECT_TRUE(contains(refusal("{\"keys\": []}"), "no keys"));
}

TEST(Jwks, LongKidIsCutInMessages) {
  auto oct = json::object{{"kty", "oct"}, {"kid", std::string(500, 'k')}};
  const auto message = refusal(key_set({oct}));
  EXPECT_LT(message.size(), 250u) << message;
}

TEST(Jwks, LoadReadsAFile) {
  keyrelay::test::TempDir dir;
  const auto file = dir.write_file("jwks.json", key_set({rsa_jwk("r1"), ec_jwk("e1")}));
  auto jwks = Jwks::load(file);
  ASSERT_TRUE(jwks) << jwks.error().message;
  EXPECT_EQ(jwks->size(), 2u);
}

TEST(Jwks, LoadNamesTheFileInErrors) {
  keyrelay::test::TempDir dir;
  auto missing = Jwks::load(dir / "absent.json");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, core::Errc::not_found);
  EXPECT_TRUE(contains(missing.error().message, "absent.json"));

  const auto bad = dir.write_file("bad.json", key_set({json::object{{"kty", "oct"}}}));
  auto refused = Jwks::load(bad);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::Errc::invalid_request);
  EXPECT_TRUE(contains(refused.error().message, "bad.json")) << refused.error().message;

  auto directory = Jwks::load(dir.path());
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error().code, core::Errc::invalid_request);

  const auto huge = dir.write_file("huge.json", std::string(kMaxJwksFileBytes + 1, ' '));
  auto too_big = Jwks::load(huge);
  ASSERT_FALSE(too_big);
  EXPECT_TRUE(contains(too_big.error().message, "1 MiB"));
}

}  // namespace
}  // namespace keyrelay::auth
