#include "auth/jwt_verifier.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <algorithm>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/encoding.h"
#include "fake_clock.h"
#include "jose_vectors.h"
#include "python_jwt.h"
#include "support/temp_dir.h"

namespace keyrelay::auth {
namespace {

namespace json = boost::json;
using std::chrono::seconds;
using test::FakeClock;
using test::Signer;
using test::TokenRequest;

constexpr long long kNow = 1'800'000'000;
constexpr std::string_view kSecret = "test-hs256-secret-0123456789abcdef-xyz";
constexpr std::string_view kIssuer = "https://idp.example/";
constexpr std::string_view kAudience = "keyrelay";

// Claims that pass at kNow; `changes` replace members, or remove them when the value is null.
json::object claims(std::initializer_list<std::pair<std::string_view, json::value>> changes = {}) {
  json::object c{{"iss", kIssuer},    {"aud", kAudience}, {"sub", "user-1"},
                 {"exp", kNow + 600}, {"iat", kNow - 5},  {"email", "ada@example.com"},
                 {"name", "Ada"}};
  for (const auto& [name, value] : changes) {
    if (value.is_null()) c.erase(name);
    else c[name] = value;
  }
  return c;
}

json::object kid(std::string_view id) { return {{"kid", id}}; }
json::object rsa_kid() { return kid(test::kPythonRsaKid); }
json::object ec_kid() { return kid(test::kPythonEcKid); }

std::vector<TokenRequest> token_requests() {
  return {
      {"rs256", Signer::rsa, rsa_kid(), claims()},
      {"es256", Signer::ec, ec_kid(), claims()},
      {"hs256", Signer::hs256, {}, claims()},
      {"hs256_with_kid", Signer::hs256, kid("anything"), claims()},
      {"rs256_unknown_kid", Signer::rsa, kid("rsa-2"), claims()},
      {"rs256_without_kid", Signer::rsa, {}, claims()},
      {"rs256_kid_of_ec_key", Signer::rsa, ec_kid(), claims()},
      {"es256_kid_of_rsa_key", Signer::ec, rsa_kid(), claims()},
      {"alg_none", Signer::unsigned_none, rsa_kid(), claims()},
      {"hs256_keyed_with_rsa_pem", Signer::hmac_with_rsa_pem, rsa_kid(), claims()},
      {"exp_now", Signer::rsa, rsa_kid(), claims({{"exp", kNow}})},
      {"no_exp", Signer::rsa, rsa_kid(), claims({{"exp", nullptr}})},
      {"nbf_future", Signer::ec, ec_kid(), claims({{"nbf", kNow + 120}})},
      {"iat_future", Signer::rsa, rsa_kid(), claims({{"iat", kNow + 3600}})},
      {"wrong_iss", Signer::rsa, rsa_kid(), claims({{"iss", "https://evil.example/"}})},
      {"no_iss", Signer::rsa, rsa_kid(), claims({{"iss", nullptr}})},
      {"aud_array", Signer::rsa, rsa_kid(), claims({{"aud", json::array{"other", kAudience}}})},
      {"aud_array_without", Signer::rsa, rsa_kid(), claims({{"aud", json::array{"other"}}})},
      {"aud_other", Signer::hs256, {}, claims({{"aud", "other"}})},
      {"no_aud", Signer::rsa, rsa_kid(), claims({{"aud", nullptr}})},
      {"no_sub", Signer::ec, ec_kid(), claims({{"sub", nullptr}})},
      {"empty_sub", Signer::hs256, {}, claims({{"sub", ""}})},
      {"other_typ", Signer::rsa, {{"kid", test::kPythonRsaKid}, {"typ", "at+jwt"}}, claims()},
      {"crit", Signer::rsa, {{"kid", test::kPythonRsaKid}, {"crit", json::array{"x"}}, {"x", 1}},
       claims()},
  };
}

// PyJWT runs once per test process (ctest runs each TEST as its own process, so once per test).
struct Minted {
  std::unique_ptr<keyrelay::test::TempDir> dir;
  std::optional<test::MintedTokens> tokens;
  std::string error;
};

const Minted& minted() {
  static const Minted m = [] {
    Minted out;
    out.dir = std::make_unique<keyrelay::test::TempDir>();
    auto tokens = test::mint_with_python(token_requests(), kSecret, out.dir->path());
    if (tokens) out.tokens = std::move(*tokens);
    else out.error = tokens.error().message;
    return out;
  }();
  return m;
}

class JwtVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(minted().tokens) << "cannot mint test tokens with PyJWT: " << minted().error;
    jwks_file_ = dir_.write_file("jwks.json", minted().tokens->jwks_json);
  }

  JwtOptions options(bool with_secret = true, bool with_jwks = true) const {
    JwtOptions o;
    if (with_secret) o.hs256_secret.emplace(kSecret);
    if (with_jwks) o.jwks_file = jwks_file_;
    o.issuer = std::string(kIssuer);
    o.audience = std::string(kAudience);
    return o;
  }

  JwtVerifier verifier(JwtOptions o) const {
    auto v = JwtVerifier::create(std::move(o), clock_);
    if (!v) throw std::runtime_error("JwtVerifier::create failed: " + v.error().message);
    return std::move(*v);
  }
  JwtVerifier verifier() const { return verifier(options()); }

  static const std::string& token(const std::string& name) { return minted().tokens->token(name); }

  // The reason `v` refuses `name`, or "(accepted)".
  static std::string refusal(const JwtVerifier& v, const std::string& token_text) {
    auto claims = v.verify(token_text);
    if (claims) return "(accepted)";
    EXPECT_EQ(claims.error().code, core::Errc::unauthenticated);
    // No part of the token is ever echoed.
    const auto head = token_text.substr(0, std::min<std::size_t>(token_text.find('.'), 12));
    if (head.size() >= 8) {
      EXPECT_EQ(claims.error().message.find(head), std::string::npos);
    }
    return claims.error().message;
  }
  std::string refusal(const std::string& name) const { return refusal(verifier(), token(name)); }

  keyrelay::test::TempDir dir_;
  std::filesystem::path jwks_file_;
  FakeClock clock_{seconds(kNow)};
};

// ---- accepted ----------------------------------------------------------------------------------

TEST_F(JwtVerifierTest, AcceptsRs256) {
  auto claims = verifier().verify(token("rs256"));
  ASSERT_TRUE(claims) << claims.error().message;
  EXPECT_EQ(claims->issuer, kIssuer);
  EXPECT_EQ(claims->subject, "user-1");
  EXPECT_EQ(claims->email, "ada@example.com");
  EXPECT_EQ(claims->name, "Ada");
  EXPECT_EQ(claims->expires_at, TimePoint(seconds(kNow + 600)));
}

TEST_F(JwtVerifierTest, AcceptsEs256) {
  auto claims = verifier().verify(token("es256"));
  ASSERT_TRUE(claims) << claims.error().message;
  EXPECT_EQ(claims->subject, "user-1");
}

TEST_F(JwtVerifierTest, AcceptsHs256WithTheSecretWhateverTheKid) {
  auto v = verifier();
  EXPECT_EQ(refusal(v, token("hs256")), "(accepted)");
  EXPECT_EQ(refusal(v, token("hs256_with_kid")), "(accepted)");
  auto only_secret = verifier(options(true, false));
  EXPECT_EQ(refusal(only_secret, token("hs256")), "(accepted)");
}

TEST_F(JwtVerifierTest, SingleKeySetServesTokensWithoutKid) {
  // A set of just the RSA key: a token without kid selects it.
  auto set = json::parse(minted().tokens->jwks_json).as_object();
  set["keys"].as_array().resize(1);
  JwtOptions o = options(false, false);
  o.jwks_file = dir_.write_file("one.json", json::serialize(set));
  EXPECT_EQ(refusal(verifier(std::move(o)), token("rs256_without_kid")), "(accepted)");
}

// ---- key selection and algorithm pinning -------------------------------------------------------

TEST_F(JwtVerifierTest, RefusesUnknownKid) {
  EXPECT_EQ(refusal("rs256_unknown_kid"), "unknown signing key");
}

TEST_F(JwtVerifierTest, RefusesMissingKidWhenTheSetHasSeveralKeys) {
  EXPECT_EQ(refusal("rs256_without_kid"), "unknown signing key");
}

TEST_F(JwtVerifierTest, RefusesAlgNone) {
  EXPECT_EQ(refusal("alg_none"), "unsigned token");
  // Variants of spelling and a made-up signature change nothing.
  const auto& t = token("alg_none");
  const auto payload = t.substr(t.find('.'));
  for (std::string_view header : {R"({"alg":"None"})", R"({"alg":"NONE","kid":"rsa-1"})"}) {
    const auto forged = core::base64url_encode(core::as_bytes(header)) + payload + "c2ln";
    EXPECT_EQ(refusal(verifier(), forged), "unsigned token");
  }
}

TEST_F(JwtVerifierTest, RefusesMissingOrUnpinnedAlgorithms) {
  const auto& t = token("rs256");
  const auto rest = t.substr(t.find('.'));
  for (std::string_view header : {R"({"kid":"rsa-1"})", R"({"alg":"RS512","kid":"rsa-1"})",
                                  R"({"alg":"PS256","kid":"rsa-1"})", R"({"alg":"rs256","kid":"rsa-1"})",
                                  R"({"alg":"HS512"})", R"({"alg":"EdDSA"})"}) {
    const auto forged = core::base64url_encode(core::as_bytes(header)) + rest;
    const auto reason = refusal(verifier(), forged);
    EXPECT_TRUE(reason == "algorithm not allowed" || reason == "malformed token header")
        << header << " → " << reason;
  }
}

TEST_F(JwtVerifierTest, RefusesHs256KeyedWithTheRsaPublicKeyPem) {
  // The classic algorithm confusion: HS256 with the public PEM as HMAC key, kid of the RSA key.
  EXPECT_EQ(refusal("hs256_keyed_with_rsa_pem"), "bad signature");  // HS256 → our secret only
  EXPECT_EQ(refusal(verifier(options(false, true)), token("hs256_keyed_with_rsa_pem")),
            "algorithm not allowed");  // no secret: HS256 is not accepted at all
}

TEST_F(JwtVerifierTest, RefusesAlgorithmOtherThanTheKeysPin) {
  EXPECT_EQ(refusal("rs256_kid_of_ec_key"), "algorithm not allowed for this key");
  EXPECT_EQ(refusal("es256_kid_of_rsa_key"), "algorithm not allowed for this key");
}

TEST_F(JwtVerifierTest, RefusesAlgorithmsThatAreNotConfigured) {
  EXPECT_EQ(refusal(verifier(options(false, true)), token("hs256")), "algorithm not allowed");
  EXPECT_EQ(refusal(verifier(options(true, false)), token("rs256")), "algorithm not allowed");
  EXPECT_EQ(refusal(verifier(options(true, false)), token("es256")), "algorithm not allowed");
}

TEST_F(JwtVerifierTest, RefusesHs256UnderAnotherSecret) {
  JwtOptions o = options(false, true);
  o.hs256_secret.emplace(std::string(kSecret) + "-rotated");
  EXPECT_EQ(refusal(verifier(std::move(o)), token("hs256")), "bad signature");
}

TEST_F(JwtVerifierTest, RefusesOtherTypAndCriticalHeaders) {
  EXPECT_EQ(refusal("other_typ"), "unsupported token type");
  EXPECT_EQ(refusal("crit"), "unsupported critical header");
}

// ---- tampering ---------------------------------------------------------------------------------

TEST_F(JwtVerifierTest, RefusesTamperedPayload) {
  for (const std::string name : {"rs256", "es256", "hs256"}) {
    const auto& t = token(name);
    const auto first = t.find('.');
    const auto second = t.find('.', first + 1);
    // A different subject, well-formed and otherwise valid.
    auto forged_claims = claims({{"sub", "admin"}});
    const auto payload = core::base64url_encode(core::as_bytes(json::serialize(forged_claims)));
    const auto forged = t.substr(0, first + 1) + payload + t.substr(second);
    EXPECT_EQ(refusal(verifier(), forged), "bad signature") << name;
    // One bit of the original payload.
    const auto flipped = t.substr(0, first + 1) +
                         test::flip_bit_b64url(t.substr(first + 1, second - first - 1), 3) +
                         t.substr(second);
    EXPECT_EQ(refusal(verifier(), flipped), "bad signature") << name;
    // One bit of the signature.
    const auto bad_sig = t.substr(0, second + 1) + test::flip_bit_b64url(t.substr(second + 1), 7);
    EXPECT_EQ(refusal(verifier(), bad_sig), "bad signature") << name;
  }
}

TEST_F(JwtVerifierTest, RefusesMalformedTokens) {
  const auto& t = token("rs256");
  for (const std::string& bad : {std::string(""), std::string("kr_abc"), t + ".x", t + " ",
                                 t.substr(0, t.rfind('.')), "Bearer " + t}) {
    EXPECT_EQ(refusal(verifier(), bad), "malformed token") << bad;
  }
}

// ---- claims against the clock ------------------------------------------------------------------

TEST_F(JwtVerifierTest, ExpiryHonoursTheLeeway) {
  auto v = verifier();  // leeway 60 s
  clock_.set(seconds(kNow + 59));
  EXPECT_EQ(refusal(v, token("exp_now")), "(accepted)");
  clock_.set(seconds(kNow + 60));
  EXPECT_EQ(refusal(v, token("exp_now")), "token expired");
  clock_.set(seconds(kNow + 3600));
  EXPECT_EQ(refusal(v, token("exp_now")), "token expired");

  JwtOptions strict = options();
  strict.leeway = seconds(0);
  auto no_leeway = verifier(std::move(strict));
  clock_.set(seconds(kNow - 1));
  EXPECT_EQ(refusal(no_leeway, token("exp_now")), "(accepted)");
  clock_.set(seconds(kNow));
  EXPECT_EQ(refusal(no_leeway, token("exp_now")), "token expired");
}

TEST_F(JwtVerifierTest, RefusesTokenWithoutExpiry) { EXPECT_EQ(refusal("no_exp"), "missing expiry"); }

TEST_F(JwtVerifierTest, NotBeforeInTheFutureIsRefusedUntilItComes) {
  auto v = verifier();
  EXPECT_EQ(refusal(v, token("nbf_future")), "token not yet valid");
  clock_.advance(seconds(60));  // nbf - now = 60 = leeway
  EXPECT_EQ(refusal(v, token("nbf_future")), "(accepted)");
}

TEST_F(JwtVerifierTest, RefusesTokenIssuedInTheFuture) {
  EXPECT_EQ(refusal("iat_future"), "token issued in the future");
}

TEST_F(JwtVerifierTest, IssuerMustMatch) {
  EXPECT_EQ(refusal("wrong_iss"), "issuer mismatch");
  EXPECT_EQ(refusal("no_iss"), "issuer mismatch");
  JwtOptions any_issuer = options();
  any_issuer.issuer.clear();
  EXPECT_EQ(refusal(verifier(std::move(any_issuer)), token("wrong_iss")), "(accepted)");
}

TEST_F(JwtVerifierTest, AudienceAsStringOrArray) {
  EXPECT_EQ(refusal("rs256"), "(accepted)");  // "aud": "keyrelay"
  auto claims = verifier().verify(token("aud_array"));
  ASSERT_TRUE(claims) << claims.error().message;
  EXPECT_EQ(claims->audience, (std::vector<std::string>{"other", "keyrelay"}));
  EXPECT_EQ(refusal("aud_array_without"), "audience mismatch");
  EXPECT_EQ(refusal("aud_other"), "audience mismatch");
  EXPECT_EQ(refusal("no_aud"), "audience mismatch");
}

TEST_F(JwtVerifierTest, SubjectIsRequired) {
  EXPECT_EQ(refusal("no_sub"), "missing subject");
  EXPECT_EQ(refusal("empty_sub"), "missing subject");
}

// ---- sharing -----------------------------------------------------------------------------------

TEST_F(JwtVerifierTest, VerifiesConcurrently) {
  const auto v = verifier();
  std::vector<std::thread> threads;
  std::atomic<int> accepted{0};
  std::atomic<int> refused{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        for (const char* name : {"rs256", "es256", "hs256"}) accepted += v.verify(token(name)) ? 1 : 0;
        refused += v.verify(token("hs256_keyed_with_rsa_pem")) ? 0 : 1;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(accepted.load(), 4 * 25 * 3);
  EXPECT_EQ(refused.load(), 4 * 25);
}

// ---- create() ----------------------------------------------------------------------------------

TEST_F(JwtVerifierTest, CreateRefusesBadOptions) {
  auto nothing = JwtVerifier::create(options(false, false), clock_);
  ASSERT_FALSE(nothing);
  EXPECT_EQ(nothing.error().code, core::Errc::invalid_request);

  JwtOptions short_secret = options(false, false);
  short_secret.hs256_secret.emplace(std::string(31, 's'));
  auto s = JwtVerifier::create(std::move(short_secret), clock_);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, core::Errc::invalid_request);
  EXPECT_EQ(s.error().message.find("sss"), std::string::npos);

  JwtOptions negative = options();
  negative.leeway = seconds(-1);
  EXPECT_FALSE(JwtVerifier::create(std::move(negative), clock_));

  JwtOptions missing = options(false, false);
  missing.jwks_file = dir_ / "absent.json";
  auto m = JwtVerifier::create(std::move(missing), clock_);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, core::Errc::not_found);

  JwtOptions oct = options(false, false);
  oct.jwks_file = dir_.write_file("oct.json", R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})");
  auto o = JwtVerifier::create(std::move(oct), clock_);
  ASSERT_FALSE(o);
  EXPECT_EQ(o.error().code, core::Errc::invalid_request);
  EXPECT_NE(o.error().message.find("oct.json"), std::string::npos) << o.error().message;
}

TEST_F(JwtVerifierTest, ReportsWhatItAccepts) {
  auto v = verifier();
  EXPECT_TRUE(v.accepts_hs256());
  ASSERT_TRUE(v.jwks());
  EXPECT_EQ(v.jwks()->size(), 2u);
  auto secret_only = verifier(options(true, false));
  EXPECT_FALSE(secret_only.jwks());
}

// ---- key set from a URL (RemoteJwks) ------------------------------------------------------------

// Serves the minted key set, or only the keys whose kid is listed; counts the fetches.
struct ServedKeys {
  std::mutex mutex;
  std::vector<std::string> kids;  // empty: every key
  int fetches = 0;

  std::string body() {
    json::object set = json::parse(minted().tokens->jwks_json).as_object();
    json::array kept;
    for (auto& key : set.at("keys").as_array()) {
      const std::string kid(key.at("kid").as_string());
      if (kids.empty() || std::find(kids.begin(), kids.end(), kid) != kids.end()) kept.push_back(key);
    }
    set["keys"] = std::move(kept);
    return json::serialize(set);
  }
};

class ServedKeysFetcher final : public JwksFetcher {
 public:
  explicit ServedKeysFetcher(std::shared_ptr<ServedKeys> served) : served_(std::move(served)) {}
  core::Result<JwksDocument> fetch(std::chrono::milliseconds) override {
    std::lock_guard lock(served_->mutex);
    ++served_->fetches;
    return JwksDocument{.body = served_->body(), .cache_control = "max-age=600", .expires = std::nullopt};
  }

 private:
  std::shared_ptr<ServedKeys> served_;
};

class JwtVerifierUrlTest : public JwtVerifierTest {
 protected:
  JwtVerifier url_verifier(std::vector<std::string> kids) {
    served_->kids = std::move(kids);
    auto remote = RemoteJwks::start(std::make_unique<ServedKeysFetcher>(served_), clock_, {});
    if (!remote) throw std::runtime_error("RemoteJwks::start failed: " + remote.error().message);
    remote_ = *remote;
    JwtOptions o = options(false, false);
    o.jwks_url = remote_;
    return verifier(std::move(o));
  }
  void serve(std::vector<std::string> kids) {
    std::lock_guard lock(served_->mutex);
    served_->kids = std::move(kids);
  }
  int fetches() {
    std::lock_guard lock(served_->mutex);
    return served_->fetches;
  }

  std::shared_ptr<ServedKeys> served_ = std::make_shared<ServedKeys>();
  std::shared_ptr<RemoteJwks> remote_;
};

TEST_F(JwtVerifierUrlTest, AKidTheSetLacksIsFetchedOnceThenAccepted) {
  auto v = url_verifier({std::string(test::kPythonEcKid)});
  EXPECT_EQ(refusal(v, token("es256")), "(accepted)");
  EXPECT_EQ(fetches(), 1);

  serve({});  // the provider publishes its RSA key too
  EXPECT_EQ(refusal(v, token("rs256")), "(accepted)") << "after one fetch for the unknown kid";
  EXPECT_EQ(fetches(), 2);
  EXPECT_EQ(v.jwks()->size(), 2u);

  EXPECT_EQ(refusal(v, token("rs256_unknown_kid")), "unknown signing key");
  EXPECT_EQ(fetches(), 2) << "another unknown kid within the minute fetches nothing";
  clock_.advance(seconds(60));
  EXPECT_EQ(refusal(v, token("rs256_unknown_kid")), "unknown signing key");
  EXPECT_EQ(fetches(), 3) << "a minute later it may";
}

TEST_F(JwtVerifierUrlTest, ATokenWithoutKidNeverCausesAFetch) {
  auto v = url_verifier({});
  EXPECT_EQ(refusal(v, token("rs256_without_kid")), "unknown signing key") << "two keys: ambiguous";
  EXPECT_EQ(fetches(), 1);
}

TEST_F(JwtVerifierUrlTest, ARotatedOutKeyStopsWorkingAfterTheRefresh) {
  auto v = url_verifier({});
  EXPECT_EQ(refusal(v, token("rs256")), "(accepted)");
  serve({std::string(test::kPythonEcKid)});
  clock_.advance(seconds(600));
  ASSERT_TRUE(remote_->refresh_if_due());
  EXPECT_EQ(refusal(v, token("rs256")), "unknown signing key");
  EXPECT_EQ(refusal(v, token("es256")), "(accepted)");
}

TEST_F(JwtVerifierUrlTest, AFileAndAUrlTogetherAreRefused) {
  url_verifier({});
  JwtOptions both = options(false, true);
  both.jwks_url = remote_;
  auto refused = JwtVerifier::create(std::move(both), clock_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::Errc::invalid_request);
  EXPECT_NE(refused.error().message.find("not both"), std::string::npos);
}

// ---- published examples through the whole verifier ---------------------------------------------
// Their claims are old and have no "sub": the signature and libjwt steps pass, the claims do not.

TEST(JwtVerifierPublished, Rfc7515A1PassesSignatureAndFailsOnClaims) {
  const auto ex = test::load_vector("rfc7515_appendix_a_examples.json").at("examples").at(0).as_object();
  auto k = core::base64url_decode(ex.at("jwk").at("k").as_string());
  ASSERT_TRUE(k);
  FakeClock before_exp(seconds(1300819380 - 100));
  JwtOptions o;
  o.hs256_secret.emplace(core::ByteView(*k));
  auto v = JwtVerifier::create(std::move(o), before_exp);
  ASSERT_TRUE(v) << v.error().message;
  const std::string compact(ex.at("compact").as_string());
  auto claims = v->verify(compact);
  ASSERT_FALSE(claims);
  EXPECT_EQ(claims.error().message, "missing subject");
  before_exp.set(seconds(1300819380 + 60));
  EXPECT_EQ(v->verify(compact).error().message, "token expired");
}

TEST(JwtVerifierPublished, Rfc7515A3PassesSignatureAndFailsOnClaims) {
  const auto ex = test::load_vector("rfc7515_appendix_a_examples.json").at("examples").at(1).as_object();
  keyrelay::test::TempDir dir;
  const auto file = dir.write_file(
      "jwks.json", json::serialize(json::object{
                       {"keys", json::array{test::public_jwk(ex.at("jwk").as_object())}}}));
  FakeClock before_exp(seconds(1300819380 - 100));
  JwtOptions o;
  o.jwks_file = file;
  auto v = JwtVerifier::create(std::move(o), before_exp);
  ASSERT_TRUE(v) << v.error().message;
  const std::string compact(ex.at("compact").as_string());
  EXPECT_EQ(v->verify(compact).error().message, "missing subject");
  auto tampered = compact;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(v->verify(tampered).error().message, "bad signature");
}

}  // namespace
}  // namespace keyrelay::auth
