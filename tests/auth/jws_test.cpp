#include "auth/jws.h"

#include <gtest/gtest.h>
#include <openssl/err.h>

#include <boost/json.hpp>
#include <vector>

#include "core/encoding.h"
#include "jose_vectors.h"

namespace keyrelay::auth {
namespace {

namespace json = boost::json;
using test::flip_bit_b64url;
using test::load_vector;
using test::public_jwk;

// ---- helpers -----------------------------------------------------------------------------------

std::vector<std::string> segments(const std::string& compact) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    auto dot = compact.find('.', start);
    out.push_back(compact.substr(start, dot - start));
    if (dot == std::string::npos) return out;
    start = dot + 1;
  }
}

std::string join(const std::vector<std::string>& parts) {
  return parts[0] + "." + parts[1] + "." + parts[2];
}

// `compact` with one bit flipped in segment `index` (1 = payload, 2 = signature).
std::string flipped(const std::string& compact, std::size_t index, std::size_t byte = 0) {
  auto parts = segments(compact);
  parts[index] = flip_bit_b64url(parts[index], byte);
  return join(parts);
}

core::Secret secret_from_k(const json::object& jwk) {
  auto k = core::base64url_decode(jwk.at("k").as_string());
  EXPECT_TRUE(k);
  return core::Secret(core::ByteView(*k));
}

PublicKey public_key(const json::object& jwk) {
  auto key = PublicKey::from_jwk(public_jwk(jwk));
  EXPECT_TRUE(key) << key.error().message;
  return std::move(*key);
}

template <class Key>
core::Result<void> verify(const std::string& compact, const Key& key) {
  auto parts = split_jws(compact);
  if (!parts) return parts.error();
  return verify_jws_signature(*parts, key);
}

template <class Key>
void expect_verifies_and_one_bit_changes_fail(const std::string& compact, const Key& key) {
  auto ok = verify(compact, key);
  EXPECT_TRUE(ok) << ok.error().message;
  const auto parts = segments(compact);
  const auto payload_size = core::base64url_decode(parts[1])->size();
  const auto sig_size = core::base64url_decode(parts[2])->size();
  for (std::size_t byte : {std::size_t{0}, payload_size / 2, payload_size - 1}) {
    auto bad = verify(flipped(compact, 1, byte), key);
    ASSERT_FALSE(bad) << "payload byte " << byte;
    EXPECT_EQ(bad.error().code, core::Errc::unauthenticated);
    EXPECT_EQ(bad.error().message, "bad signature");
  }
  for (std::size_t byte : {std::size_t{0}, sig_size / 2, sig_size - 1}) {
    auto bad = verify(flipped(compact, 2, byte), key);
    ASSERT_FALSE(bad) << "signature byte " << byte;
    EXPECT_EQ(bad.error().message, "bad signature");
  }
  EXPECT_EQ(ERR_peek_error(), 0u) << "a refused signature leaves OpenSSL's error queue clean";
  auto header_bad = verify(flipped(compact, 0, 2), key);
  EXPECT_FALSE(header_bad) << "header bit";
}

json::object rfc7515(std::size_t index) {
  return load_vector("rfc7515_appendix_a_examples.json").at("examples").at(index).as_object();
}

// ---- published vectors: the signature step only -------------------------------------------------

TEST(JwsVectors, Rfc7515A1Hs256) {
  const auto ex = rfc7515(0);
  ASSERT_EQ(ex.at("alg"), "HS256");
  const std::string compact(ex.at("compact").as_string());
  auto parts = split_jws(compact);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->header_b64, ex.at("protected_b64u").as_string());
  EXPECT_EQ(parts->payload_b64, ex.at("payload_b64u").as_string());
  EXPECT_EQ(parts->signature_b64, ex.at("signature_b64u").as_string());
  expect_verifies_and_one_bit_changes_fail(compact, secret_from_k(ex.at("jwk").as_object()));
}

TEST(JwsVectors, Rfc7515A3Es256) {
  const auto ex = rfc7515(1);
  ASSERT_EQ(ex.at("alg"), "ES256");
  const std::string compact(ex.at("compact").as_string());
  expect_verifies_and_one_bit_changes_fail(compact, public_key(ex.at("jwk").as_object()));
}

TEST(JwsVectors, Rfc7520Section4_1Rs256) {
  const auto v = load_vector("4_1.rsa_v15_signature.json").as_object();
  ASSERT_EQ(v.at("input").at("alg"), "RS256");
  const std::string compact(v.at("output").at("compact").as_string());
  auto parts = split_jws(compact);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->signing_input, v.at("signing").at("sig-input").as_string());
  EXPECT_EQ(parts->signature_b64, v.at("signing").at("sig").as_string());
  const auto key = public_key(v.at("input").at("key").as_object());
  EXPECT_EQ(key.kid(), "bilbo.baggins@hobbiton.example");
  expect_verifies_and_one_bit_changes_fail(compact, key);
}

TEST(JwsVectors, Rfc7520Section4_4Hs256) {
  const auto v = load_vector("4_4.hmac-sha2_integrity_protection.json").as_object();
  ASSERT_EQ(v.at("input").at("alg"), "HS256");
  const std::string compact(v.at("output").at("compact").as_string());
  auto parts = split_jws(compact);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->signing_input, v.at("signing").at("sig-input").as_string());
  expect_verifies_and_one_bit_changes_fail(compact, secret_from_k(v.at("input").at("key").as_object()));
}

TEST(JwsVectors, HeadersParseAsPublished) {
  const std::string a1_text(rfc7515(0).at("compact").as_string());
  auto a1 = split_jws(a1_text);  // the parts borrow from a1_text
  ASSERT_TRUE(a1);
  auto h1 = parse_jws_header(*a1);  // CR LF inside the JSON, as the RFC prints it
  ASSERT_TRUE(h1) << h1.error().message;
  EXPECT_EQ(h1->alg, "HS256");
  EXPECT_EQ(h1->typ, "JWT");
  EXPECT_EQ(h1->kid, std::nullopt);

  const std::string rs(load_vector("4_1.rsa_v15_signature.json").at("output").at("compact").as_string());
  auto p41 = split_jws(rs);
  ASSERT_TRUE(p41);
  auto h41 = parse_jws_header(*p41);
  ASSERT_TRUE(h41);
  EXPECT_EQ(h41->alg, "RS256");
  EXPECT_EQ(h41->kid, "bilbo.baggins@hobbiton.example");
}

TEST(JwsVectors, WrongKeyFails) {
  const std::string a1(rfc7515(0).at("compact").as_string());
  const auto v44 = load_vector("4_4.hmac-sha2_integrity_protection.json").as_object();
  EXPECT_FALSE(verify(a1, secret_from_k(v44.at("input").at("key").as_object())));

  // An RS256 signature checked with the ES256 key, and the other way round.
  const std::string rs(load_vector("4_1.rsa_v15_signature.json").at("output").at("compact").as_string());
  const auto ec = public_key(rfc7515(1).at("jwk").as_object());
  const auto rsa = public_key(load_vector("4_1.rsa_v15_signature.json").at("input").at("key").as_object());
  EXPECT_FALSE(verify(rs, ec));
  EXPECT_FALSE(verify(std::string(rfc7515(1).at("compact").as_string()), rsa));
}

TEST(JwsSignature, SignatureOfWrongLengthFails) {
  const std::string es(rfc7515(1).at("compact").as_string());
  const auto ec = public_key(rfc7515(1).at("jwk").as_object());
  auto parts = segments(es);
  auto sig = *core::base64url_decode(parts[2]);
  sig.push_back(0);  // 65 bytes
  parts[2] = core::base64url_encode(sig);
  EXPECT_FALSE(verify(join(parts), ec));
  sig.resize(63);
  parts[2] = core::base64url_encode(sig);
  EXPECT_FALSE(verify(join(parts), ec));

  const std::string rs(load_vector("4_1.rsa_v15_signature.json").at("output").at("compact").as_string());
  const auto rsa = public_key(load_vector("4_1.rsa_v15_signature.json").at("input").at("key").as_object());
  auto rparts = segments(rs);
  auto rsig = *core::base64url_decode(rparts[2]);
  rsig.insert(rsig.begin(), 0);  // 257 bytes with a leading zero
  rparts[2] = core::base64url_encode(rsig);
  EXPECT_FALSE(verify(join(rparts), rsa));
}

TEST(JwsSignature, EmptyOrNonCanonicalSignatureFails) {
  const std::string a1(rfc7515(0).at("compact").as_string());
  const auto key = secret_from_k(rfc7515(0).at("jwk").as_object());
  auto parts = segments(a1);
  parts[2] = "";
  EXPECT_FALSE(verify(join(parts), key));
  // "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk": the last character carries 2 unused bits;
  // changing only those ('k' → 'l') decodes to the same bytes in a lenient decoder.
  parts = segments(a1);
  parts[2].back() = 'l';
  EXPECT_FALSE(verify(join(parts), key));
}

// ---- splitting and the header ------------------------------------------------------------------

TEST(JwsSplit, RefusesMalformedShapes) {
  const std::string good = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
  ASSERT_TRUE(split_jws(good));
  for (const std::string& bad :
       {std::string(""), std::string("abc"), std::string("a.b"), good + ".x", "." + good.substr(good.find('.')),
        std::string("eyJhbGciOiJIUzI1NiJ9..c2ln"), std::string("eyJhbGciOiJIUzI1NiJ9=.eyJzdWIiOiJ4In0.c2ln"),
        std::string("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0 .c2ln"), std::string("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2+n"),
        good + "\n"}) {
    auto parts = split_jws(bad);
    ASSERT_FALSE(parts) << "'" << bad << "'";
    EXPECT_EQ(parts.error().code, core::Errc::unauthenticated);
    EXPECT_EQ(parts.error().message, "malformed token");
  }
}

TEST(JwsSplit, RefusesOverlongTokens) {
  const std::string header = "eyJhbGciOiJIUzI1NiJ9";
  const std::string token = header + "." + std::string(kMaxJwsBytes, 'A') + ".c2ln";
  EXPECT_FALSE(split_jws(token));
}

TEST(JwsSplit, AllowsAnEmptySignatureSegment) {
  auto parts = split_jws("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.");
  ASSERT_TRUE(parts);
  EXPECT_TRUE(parts->signature_b64.empty());
  EXPECT_EQ(parts->signing_input, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0");
}

core::Result<JwsHeader> header_of(std::string_view json_text) {
  const std::string token =
      core::base64url_encode(core::as_bytes(json_text)) + ".eyJzdWIiOiJ4In0.c2ln";
  auto parts = split_jws(token);
  EXPECT_TRUE(parts);
  return parse_jws_header(*parts);
}

TEST(JwsHeader, ReadsAlgKidAndTyp) {
  auto h = header_of(R"({"alg":"RS256","kid":"k1","typ":"JWT","jku":"https://evil.example/"})");
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->alg, "RS256");
  EXPECT_EQ(h->kid, "k1");
  EXPECT_EQ(h->typ, "JWT");
}

TEST(JwsHeader, RefusesMalformedHeaders) {
  for (std::string_view bad : {R"({"typ":"JWT"})", R"({"alg":null})", R"({"alg":256})",
                               R"({"alg":"RS256","kid":5})", R"({"alg":"RS256","typ":["JWT"]})",
                               R"(["alg","RS256"])", R"("RS256")", R"({"alg":"RS256")"}) {
    auto h = header_of(bad);
    ASSERT_FALSE(h) << bad;
    EXPECT_EQ(h.error().code, core::Errc::unauthenticated);
    EXPECT_EQ(h.error().message, "malformed token header") << bad;
  }
}

TEST(JwsHeader, RefusesCriticalExtensions) {
  auto h = header_of(R"({"alg":"RS256","crit":["exp"],"exp":1})");
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().message, "unsupported critical header");
}

TEST(JwsHeader, RefusesNonCanonicalBase64) {
  // "e30" is "{}"; "e31" has non-zero unused bits: a strict decoder refuses it.
  auto parts = split_jws("e31.eyJzdWIiOiJ4In0.c2ln");
  ASSERT_TRUE(parts);
  EXPECT_FALSE(parse_jws_header(*parts));
}

}  // namespace
}  // namespace keyrelay::auth
