// JWT verification as a request meets it: the compact token split and its header parsed by
// keyrelay (jws.h), the key chosen and pinned, the signature checked, libjwt's decode, the claims.
// Input: <mode byte> then
//   mode even: a token as a client sends it (verified by two verifiers: HS256 + a two-key JWKS,
//              and a one-key JWKS whose key has no kid);
//   mode odd:  <header JSON> "\n\n" <payload JSON>, which the target encodes and signs with the
//              HS256 secret, so the fuzzer reaches libjwt and the claim checks with any content.
// Checks: refusals are unauthenticated with one of the fixed generic reasons (never claim values);
// accepted claims satisfy the policy.

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "auth/jws.h"
#include "auth/jwt_claims.h"
#include "auth/jwt_verifier.h"
#include "core/clock.h"
#include "core/encoding.h"
#include "crypto/hmac.h"
#include "fuzz_input.h"
#include "scratch_files.h"

namespace {

using namespace keyrelay;

// RFC 7515 A.1's HS256 key (64 bytes, base64url), and public keys of RFC 7515 A.3 (P-256) and
// RFC 7520 §4.1 (RSA 2048), so the published example tokens reach the signature step.
constexpr std::string_view kHs256KeyB64 =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
constexpr std::string_view kP256 =
    R"("kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0")";
constexpr std::string_view kRsa =
    R"("kty":"RSA","kid":"bilbo.baggins@hobbiton.example","use":"sig","e":"AQAB","n":"n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw")";

// RFC 7515's examples expire at 1300819380 (2011-03-22T18:43:00Z): the fake time is just before.
class FixedClock final : public core::Clock {
 public:
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::time_point(std::chrono::seconds(1300819000));
  }
  std::chrono::steady_clock::time_point steady_now() const override { return {}; }
};

struct Verifiers {
  FixedClock clock;
  core::Secret secret;
  std::unique_ptr<auth::JwtVerifier> hs_and_keys;
  std::unique_ptr<auth::JwtVerifier> lone_key;
};

auth::JwtVerifier make(auth::JwtOptions options, const core::Clock& clock) {
  auto v = auth::JwtVerifier::create(std::move(options), clock);
  if (!v) {
    std::fprintf(stderr, "jwt_fuzz: %s\n", v.error().message.c_str());
    std::abort();
  }
  return std::move(*v);
}

const Verifiers& verifiers() {
  static Verifiers* v = [] {
    auto* out = new Verifiers;
    out->secret = core::Secret(*core::base64url_decode(kHs256KeyB64));
    auth::JwtOptions both;
    both.hs256_secret = out->secret.clone();
    both.jwks_file = fuzz::write_scratch_file(
        "two-keys.json", "{\"keys\":[{" + std::string(kP256) + ",\"kid\":\"p256\"},{" + std::string(kRsa) + "}]}");
    both.issuer = "joe";
    both.audience = "keyrelay";
    out->hs_and_keys = std::make_unique<auth::JwtVerifier>(make(std::move(both), out->clock));
    auth::JwtOptions lone;
    lone.jwks_file = fuzz::write_scratch_file("one-key.json", "{\"keys\":[{" + std::string(kP256) + "}]}");
    out->lone_key = std::make_unique<auth::JwtVerifier>(make(std::move(lone), out->clock));
    return out;
  }();
  return *v;
}

void check_refusal(const core::Error& error) {
  static const std::set<std::string, std::less<>> kReasons = {
      "malformed token", "malformed token header", "unsupported critical header", "unsigned token",
      "algorithm not allowed", "unsupported token type", "unknown signing key",
      "algorithm not allowed for this key", "bad signature", "invalid token", "malformed claims",
      "missing expiry", "token expired", "token not yet valid", "token issued in the future",
      "issuer mismatch", "audience mismatch", "missing subject"};
  FUZZ_CHECK(error.code == core::Errc::unauthenticated);
  FUZZ_CHECK(kReasons.contains(error.message));
}

void check_accepted(const auth::JwtClaims& claims, const auth::ClaimPolicy& policy, const core::Clock& clock) {
  FUZZ_CHECK(!claims.subject.empty());
  if (!policy.issuer.empty()) FUZZ_CHECK(claims.issuer == policy.issuer);
  if (!policy.audience.empty()) {
    bool found = false;
    for (const auto& a : claims.audience) found = found || a == policy.audience;
    FUZZ_CHECK(found);
  }
  FUZZ_CHECK(clock.now() < claims.expires_at + policy.leeway);
}

void verify(const auth::JwtVerifier& verifier, std::string_view token, const auth::ClaimPolicy& policy,
            const core::Clock& clock) {
  auto claims = verifier.verify(token);
  if (claims) check_accepted(*claims, policy, clock);
  else check_refusal(claims.error());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Verifiers& v = verifiers();
  const auth::ClaimPolicy strict{"joe", "keyrelay", std::chrono::seconds(60)};
  fuzz::FuzzInput input(data, size);
  const unsigned char mode = input.byte();

  if (mode % 2 == 0) {
    const std::string_view token = input.rest();
    verify(*v.hs_and_keys, token, strict, v.clock);
    verify(*v.lone_key, token, auth::ClaimPolicy{}, v.clock);
    if (auto parts = auth::split_jws(token)) {
      if (auto header = auth::parse_jws_header(*parts); !header) check_refusal(header.error());
    }
    return 0;
  }

  const std::string_view header = input.until("\n\n");
  const std::string_view payload = input.rest();
  std::string token = core::base64url_encode(core::as_bytes(header)) + "." + core::base64url_encode(core::as_bytes(payload));
  const auto mac = crypto::hmac_sha256(v.secret.reveal(), core::as_bytes(token));
  token += "." + core::base64url_encode(mac);
  verify(*v.hs_and_keys, token, strict, v.clock);

  auto claims = auth::check_claims(payload, strict, v.clock.now());
  if (claims) check_accepted(*claims, strict, v.clock);
  else check_refusal(claims.error());
  return 0;
}
