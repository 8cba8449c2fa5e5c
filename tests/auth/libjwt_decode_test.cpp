#include "auth/libjwt_decode.h"

#include <gtest/gtest.h>
#include <jwt.h>
#include <openssl/err.h>

#include <boost/json.hpp>

#include "core/encoding.h"
#include "crypto/hmac.h"
#include "jose_vectors.h"

namespace keyrelay::auth {
namespace {

namespace json = boost::json;
using test::load_vector;
using test::public_jwk;

std::string b64(std::string_view text) { return core::base64url_encode(core::as_bytes(text)); }

// A compact HS256 JWS of `header` and `payload` with `key` as the HMAC key, built by hand.
std::string hs256_token(std::string_view header, std::string_view payload, core::ByteView key) {
  const std::string input = b64(header) + "." + b64(payload);
  const auto mac = crypto::hmac_sha256(key, core::as_bytes(input));
  return input + "." + core::base64url_encode(mac);
}

PublicKey rsa_key() {
  auto key = PublicKey::from_jwk(
      public_jwk(load_vector("4_1.rsa_v15_signature.json").at("input").at("key").as_object()));
  EXPECT_TRUE(key);
  return std::move(*key);
}

json::object rfc7515(std::size_t index) {
  return load_vector("rfc7515_appendix_a_examples.json").at("examples").at(index).as_object();
}

// Raw libjwt, to show the hazards libjwt_decode exists for.
struct RawDecode {
  int rc = -1;
  jwt_alg_t alg = JWT_ALG_INVAL;
};
RawDecode raw_jwt_decode(const std::string& token, const unsigned char* key, int key_len) {
  jwt_t* jwt = nullptr;
  RawDecode out;
  out.rc = jwt_decode(&jwt, token.c_str(), key, key_len);
  if (jwt != nullptr) out.alg = jwt_get_alg(jwt);
  jwt_free(jwt);
  return out;
}

TEST(LibjwtDecode, AlgorithmConfusionIsRefused) {
  const auto rsa = rsa_key();
  const auto pem = core::as_bytes(rsa.pem());
  const std::string token =
      hs256_token(R"({"alg":"HS256","typ":"JWT"})", R"({"sub":"mallory","exp":9999999999})", pem);

  // The hazard: given the RSA public key PEM as "the key", libjwt 1.10 happily verifies an HS256
  // token whose HMAC key is that (public) PEM.
  const auto raw = raw_jwt_decode(token, pem.data(), static_cast<int>(pem.size()));
  EXPECT_EQ(raw.rc, 0);
  EXPECT_EQ(raw.alg, JWT_ALG_HS256);

  // The defence: the key is pinned to RS256, and libjwt's algorithm must be that one.
  auto decoded = libjwt_decode(token, pem, JwsAlgorithm::rs256);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().code, core::Errc::unauthenticated);
  EXPECT_EQ(decoded.error().message, "algorithm not allowed");
}

TEST(LibjwtDecode, EmptyKeyIsRefusedBecauseLibjwtWouldSkipVerification) {
  const std::string es(rfc7515(1).at("compact").as_string());
  // The hazard: without a key, jwt_decode of a signed token succeeds unverified and reports "none".
  const auto raw = raw_jwt_decode(es, nullptr, 0);
  EXPECT_EQ(raw.rc, 0);
  EXPECT_EQ(raw.alg, JWT_ALG_NONE);

  auto decoded = libjwt_decode(es, {}, JwsAlgorithm::es256);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().message, "malformed token");
}

TEST(LibjwtDecode, VerifiesAndReturnsThePayload) {
  const auto ec_jwk = public_jwk(rfc7515(1).at("jwk").as_object());
  auto ec = PublicKey::from_jwk(ec_jwk);
  ASSERT_TRUE(ec);
  auto payload = libjwt_decode(std::string(rfc7515(1).at("compact").as_string()),
                               core::as_bytes(ec->pem()), JwsAlgorithm::es256);
  ASSERT_TRUE(payload) << payload.error().message;
  const auto claims = json::parse(*payload).as_object();
  EXPECT_EQ(claims.at("iss"), "joe");
  EXPECT_EQ(claims.at("exp"), 1300819380);

  auto k = core::base64url_decode(rfc7515(0).at("jwk").at("k").as_string());
  auto hs = libjwt_decode(std::string(rfc7515(0).at("compact").as_string()), *k, JwsAlgorithm::hs256);
  ASSERT_TRUE(hs) << hs.error().message;
  EXPECT_EQ(json::parse(*hs).at("http://example.com/is_root"), true);
}

TEST(LibjwtDecode, BadSignatureIsRefused) {
  std::string es(rfc7515(1).at("compact").as_string());
  es[es.size() - 5] = es[es.size() - 5] == 'A' ? 'B' : 'A';
  auto ec = PublicKey::from_jwk(public_jwk(rfc7515(1).at("jwk").as_object()));
  auto decoded = libjwt_decode(es, core::as_bytes(ec->pem()), JwsAlgorithm::es256);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().message, "invalid token");
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(LibjwtDecode, LibjwtRefusesNonJsonPayloadsAndOtherTypes) {
  // RFC 7520 §4.1 is correctly signed, but its payload is prose: libjwt cannot decode it, which is
  // why the published vectors test the signature step (jws.h) on its own.
  const std::string rs(load_vector("4_1.rsa_v15_signature.json").at("output").at("compact").as_string());
  EXPECT_FALSE(libjwt_decode(rs, core::as_bytes(rsa_key().pem()), JwsAlgorithm::rs256));

  const std::string key(32, 'k');
  const std::string at_jwt =
      hs256_token(R"({"alg":"HS256","typ":"at+jwt"})", R"({"sub":"x"})", core::as_bytes(key));
  EXPECT_FALSE(libjwt_decode(at_jwt, core::as_bytes(key), JwsAlgorithm::hs256));
  const std::string jwt =
      hs256_token(R"({"alg":"HS256","typ":"JWT"})", R"({"sub":"x"})", core::as_bytes(key));
  EXPECT_TRUE(libjwt_decode(jwt, core::as_bytes(key), JwsAlgorithm::hs256));
}

TEST(LibjwtDecode, RefusesTokensWithNulOrOverLong) {
  const std::string key(32, 'k');
  std::string jwt = hs256_token(R"({"alg":"HS256"})", R"({"sub":"x"})", core::as_bytes(key));
  EXPECT_FALSE(libjwt_decode(jwt.substr(0, 10) + std::string(1, '\0') + jwt.substr(10),
                             core::as_bytes(key), JwsAlgorithm::hs256));
  const std::string huge = hs256_token(R"({"alg":"HS256"})",
                                       "{\"pad\":\"" + std::string(20000, 'p') + "\"}",
                                       core::as_bytes(key));
  auto decoded = libjwt_decode(huge, core::as_bytes(key), JwsAlgorithm::hs256);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().message, "malformed token");
}

}  // namespace
}  // namespace keyrelay::auth
