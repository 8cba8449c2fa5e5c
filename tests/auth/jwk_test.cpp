#include "auth/jwk.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/json.hpp>

#include "core/encoding.h"
#include "jose_vectors.h"

namespace keyrelay::auth {
namespace {

namespace json = boost::json;
using test::load_vector;
using test::public_jwk;

// RFC 7520 §3.3's RSA key (2048 bits, kid "bilbo.baggins@hobbiton.example"), public members only.
json::object rsa_jwk() {
  return public_jwk(load_vector("4_1.rsa_v15_signature.json").at("input").at("key").as_object());
}

// RFC 7515 A.3's P-256 key (no kid), public members only.
json::object ec_jwk() {
  return public_jwk(
      load_vector("rfc7515_appendix_a_examples.json").at("examples").at(1).at("jwk").as_object());
}

std::string refusal(const json::object& jwk) {
  auto key = PublicKey::from_jwk(jwk);
  if (key) return "(accepted)";
  EXPECT_EQ(key.error().code, core::Errc::invalid_request);
  EXPECT_EQ(ERR_peek_error(), 0u) << "a refused key leaves OpenSSL's error queue clean";
  return key.error().message;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(JwsAlgorithmNames, RoundTripAndAreCaseSensitive) {
  for (auto alg : {JwsAlgorithm::hs256, JwsAlgorithm::rs256, JwsAlgorithm::es256}) {
    EXPECT_EQ(parse_jws_algorithm(jws_algorithm_name(alg)), alg);
  }
  EXPECT_EQ(parse_jws_algorithm("rs256"), std::nullopt);
  EXPECT_EQ(parse_jws_algorithm("none"), std::nullopt);
  EXPECT_EQ(parse_jws_algorithm("RS512"), std::nullopt);
  EXPECT_EQ(parse_jws_algorithm("PS256"), std::nullopt);
}

TEST(Jwk, RsaKeyIsPinnedToRs256) {
  auto key = PublicKey::from_jwk(rsa_jwk());
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->algorithm(), JwsAlgorithm::rs256);
  EXPECT_EQ(key->bits(), 2048);
  EXPECT_EQ(key->kid(), "bilbo.baggins@hobbiton.example");
  EXPECT_TRUE(key->pem().starts_with("-----BEGIN PUBLIC KEY-----\n"));
}

TEST(Jwk, EcKeyIsPinnedToEs256) {
  auto key = PublicKey::from_jwk(ec_jwk());
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->algorithm(), JwsAlgorithm::es256);
  EXPECT_EQ(key->bits(), 256);
  EXPECT_EQ(key->kid(), std::nullopt);
}

TEST(Jwk, PemHoldsTheSameKey) {
  for (const auto& jwk : {rsa_jwk(), ec_jwk()}) {
    auto key = PublicKey::from_jwk(jwk);
    ASSERT_TRUE(key);
    BIO* bio = BIO_new_mem_buf(key->pem().data(), static_cast<int>(key->pem().size()));
    EVP_PKEY* reread = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    ASSERT_NE(reread, nullptr);
    EXPECT_EQ(EVP_PKEY_eq(reread, key->evp_pkey()), 1);
    EVP_PKEY_free(reread);
  }
}

TEST(Jwk, FromJsonTextParsesAndRefusesNonObjects) {
  auto key = PublicKey::from_jwk_json(json::serialize(ec_jwk()));
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_FALSE(PublicKey::from_jwk_json("[1,2]"));
  EXPECT_FALSE(PublicKey::from_jwk_json("{\"kty\":"));
}

TEST(Jwk, SmallRsaKeyIsRefused) {
  auto jwk = rsa_jwk();
  auto n = core::base64url_decode(jwk.at("n").as_string());
  ASSERT_TRUE(n);
  n->resize(128);  // a 1024-bit modulus
  jwk["n"] = core::base64url_encode(*n);
  const auto message = refusal(jwk);
  EXPECT_TRUE(contains(message, "1024 bits")) << message;
  EXPECT_TRUE(contains(message, "2048")) << message;
}

TEST(Jwk, RsaKeyFailingOpensslsPublicCheckIsRefused) {
  auto jwk = rsa_jwk();
  auto n = core::base64url_decode(jwk.at("n").as_string());
  ASSERT_TRUE(n);
  n->back() &= 0xfe;  // an even modulus cannot be a product of two odd primes
  jwk["n"] = core::base64url_encode(*n);
  EXPECT_TRUE(contains(refusal(jwk), "not a valid public key"));

}

TEST(Jwk, RsaExponentMustBeOddAndAtLeast65537) {
  for (std::string_view e : {"Aw" /* 3 */, "AQAA" /* 65536 */, "__8" /* 65535 */,
                             "AQAAAAAAAAAB" /* 2^64 + 1 */}) {
    auto jwk = rsa_jwk();
    jwk["e"] = e;
    EXPECT_TRUE(contains(refusal(jwk), "exponent")) << e;
  }
  auto ok = rsa_jwk();
  ok["e"] = "AQAB";  // 65537
  EXPECT_TRUE(PublicKey::from_jwk(ok));
}

TEST(Jwk, SymmetricKeyIsRefused) {
  json::object oct{{"kty", "oct"}, {"k", "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr8"}};
  EXPECT_TRUE(contains(refusal(oct), "oct"));
  oct.erase("k");
  EXPECT_TRUE(contains(refusal(oct), "oct"));
}

TEST(Jwk, UnknownOrMissingKeyTypeIsRefused) {
  json::object okp{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}};
  EXPECT_TRUE(contains(refusal(okp), "unsupported JWK key type"));
  auto no_kty = rsa_jwk();
  no_kty.erase("kty");
  EXPECT_TRUE(contains(refusal(no_kty), "no 'kty'"));
  auto numeric_kty = rsa_jwk();
  numeric_kty["kty"] = 1;
  EXPECT_TRUE(contains(refusal(numeric_kty), "not a string"));
}

TEST(Jwk, PrivateKeyMaterialIsRefused) {
  auto with_d = load_vector("4_1.rsa_v15_signature.json").at("input").at("key").as_object();
  const auto message = refusal(with_d);
  EXPECT_TRUE(contains(message, "private key material")) << message;
  auto ec_with_d =
      load_vector("rfc7515_appendix_a_examples.json").at("examples").at(1).at("jwk").as_object();
  EXPECT_TRUE(contains(refusal(ec_with_d), "private key material"));
}

TEST(Jwk, BadBase64urlIsRefused) {
  const auto n = std::string(rsa_jwk().at("n").as_string());
  for (const std::string& bad : {n + "=", "+" + n.substr(1), n.substr(0, 10) + " " + n.substr(10),
                                 std::string(""), n.substr(0, n.size() - 1) + "!"}) {
    auto jwk = rsa_jwk();
    jwk["n"] = bad;
    EXPECT_TRUE(contains(refusal(jwk), "'n'")) << bad;
  }
  auto ec = ec_jwk();
  ec["x"] = std::string(ec.at("x").as_string()) + "==";
  EXPECT_TRUE(contains(refusal(ec), "'x'"));
  auto missing = ec_jwk();
  missing.erase("y");
  EXPECT_TRUE(contains(refusal(missing), "no 'y'"));
}

TEST(Jwk, EcKeyMustBeOnP256) {
  auto p384 = ec_jwk();
  p384["crv"] = "P-384";
  EXPECT_TRUE(contains(refusal(p384), "P-256"));
  auto no_crv = ec_jwk();
  no_crv.erase("crv");
  EXPECT_TRUE(contains(refusal(no_crv), "crv"));

  auto long_x = ec_jwk();
  auto x = core::base64url_decode(long_x.at("x").as_string());
  x->insert(x->begin(), 0);
  long_x["x"] = core::base64url_encode(*x);
  EXPECT_TRUE(contains(refusal(long_x), "at most 32 bytes"));

  auto off_curve = ec_jwk();
  off_curve["y"] = test::flip_bit_b64url(off_curve.at("y").as_string(), 31);
  EXPECT_TRUE(contains(refusal(off_curve), "not a valid public key"));
}

// A fresh P-256 key whose x coordinate starts with a zero byte, as {x without that byte, y}.
std::pair<core::Bytes, core::Bytes> p256_key_with_leading_zero_x() {
  for (int attempt = 0; attempt < 100000; ++attempt) {
    EVP_PKEY* pkey = EVP_EC_gen("P-256");
    BIGNUM* bx = nullptr;
    BIGNUM* by = nullptr;
    EXPECT_EQ(EVP_PKEY_get_bn_param(pkey, "qx", &bx), 1);
    EXPECT_EQ(EVP_PKEY_get_bn_param(pkey, "qy", &by), 1);
    const bool found = BN_num_bytes(bx) <= 31;
    core::Bytes x(static_cast<std::size_t>(BN_num_bytes(bx)));
    core::Bytes y(32);
    BN_bn2bin(bx, x.data());
    BN_bn2binpad(by, y.data(), 32);
    BN_free(bx);
    BN_free(by);
    EVP_PKEY_free(pkey);
    if (found) return {x, y};
  }
  ADD_FAILURE() << "no P-256 key with a short x in 100000 attempts";
  return {};
}

TEST(Jwk, ShortEcCoordinatesAreLeftPadded) {
  // PyJWT 2.6's to_jwk drops leading zero bytes; the key is still the same key.
  auto [x, y] = p256_key_with_leading_zero_x();
  ASSERT_LT(x.size(), 32u);
  json::object jwk{{"kty", "EC"}, {"crv", "P-256"}, {"x", core::base64url_encode(x)},
                   {"y", core::base64url_encode(y)}};
  auto key = PublicKey::from_jwk(jwk);
  ASSERT_TRUE(key) << key.error().message;
  BIGNUM* bx = nullptr;
  ASSERT_EQ(EVP_PKEY_get_bn_param(key->evp_pkey(), "qx", &bx), 1);
  core::Bytes back(static_cast<std::size_t>(BN_num_bytes(bx)));
  BN_bn2bin(bx, back.data());
  BN_free(bx);
  EXPECT_EQ(back, x);
}

TEST(Jwk, UseAlgAndKeyOpsMustAgreeWithThePin) {
  auto rsa = rsa_jwk();  // carries "use": "sig"
  rsa["alg"] = "RS256";
  rsa["key_ops"] = json::array{"verify"};
  EXPECT_TRUE(PublicKey::from_jwk(rsa)) << refusal(rsa);

  auto ps256 = rsa_jwk();
  ps256["alg"] = "PS256";
  EXPECT_TRUE(contains(refusal(ps256), "'alg'"));
  auto ec_as_rs = ec_jwk();
  ec_as_rs["alg"] = "RS256";
  EXPECT_TRUE(contains(refusal(ec_as_rs), "ES256"));
  auto enc = rsa_jwk();
  enc["use"] = "enc";
  EXPECT_TRUE(contains(refusal(enc), "'use'"));
  auto ops = ec_jwk();
  ops["key_ops"] = json::array{"encrypt"};
  EXPECT_TRUE(contains(refusal(ops), "key_ops"));
}

TEST(Jwk, KidMustBeANonEmptyString) {
  auto numeric = ec_jwk();
  numeric["kid"] = 7;
  EXPECT_TRUE(contains(refusal(numeric), "'kid'"));
  auto empty = ec_jwk();
  empty["kid"] = "";
  EXPECT_TRUE(contains(refusal(empty), "'kid'"));
}

TEST(Jwk, MessagesNeverCarryKeyMaterial) {
  auto jwk = rsa_jwk();
  const std::string n(jwk.at("n").as_string());
  jwk["n"] = n + "=";
  const auto message = refusal(jwk);
  EXPECT_FALSE(contains(message, n.substr(0, 16))) << message;
}

}  // namespace
}  // namespace keyrelay::auth
