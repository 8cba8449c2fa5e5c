#include "auth/jwt_verifier.h"

#include <strings.h>

#include <utility>

#include "auth/jws.h"
#include "auth/libjwt_decode.h"

namespace keyrelay::auth {
namespace {

constexpr std::chrono::seconds kMaxLeeway{3600};

core::Error unauthenticated(const char* reason) { return core::Error::unauthenticated(reason); }

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

core::Result<JwtVerifier> JwtVerifier::create(JwtOptions options, const core::Clock& clock) {
  if (!options.hs256_secret && !options.jwks_file) {
    return core::Error::invalid_request("JWT verification needs an HS256 secret or a JWKS file");
  }
  if (options.hs256_secret && options.hs256_secret->size() < kMinHs256SecretBytes) {
    return core::Error::invalid_request("the JWT HS256 secret must be at least 32 bytes");
  }
  if (options.leeway < std::chrono::seconds::zero() || options.leeway > kMaxLeeway) {
    return core::Error::invalid_request("the JWT leeway must be between 0 and 3600 seconds");
  }
  std::optional<Jwks> jwks;
  if (options.jwks_file) {
    auto loaded = Jwks::load(*options.jwks_file);
    if (!loaded) return loaded.error();
    jwks.emplace(std::move(*loaded));
  }
  ClaimPolicy policy{std::move(options.issuer), std::move(options.audience), options.leeway};
  return JwtVerifier(std::move(options.hs256_secret), std::move(jwks), std::move(policy), clock);
}

JwtVerifier::JwtVerifier(std::optional<core::Secret> secret, std::optional<Jwks> jwks,
                         ClaimPolicy policy, const core::Clock& clock)
    : hs256_secret_(std::move(secret)),
      jwks_(std::move(jwks)),
      policy_(std::move(policy)),
      clock_(&clock) {}

core::Result<JwtClaims> JwtVerifier::verify(std::string_view token) const {
  // 1. Our own reading of the header decides the algorithm, never libjwt's.
  auto parts = split_jws(token);
  if (!parts) return parts.error();
  auto header = parse_jws_header(*parts);
  if (!header) return header.error();
  if (iequals(header->alg, "none")) return unauthenticated("unsigned token");
  const auto alg = parse_jws_algorithm(header->alg);
  if (!alg) return unauthenticated("algorithm not allowed");
  // libjwt 1.10 refuses any other typ too; saying so here gives the reason.
  if (header->typ && !iequals(*header->typ, "JWT")) return unauthenticated("unsupported token type");

  // 2 and 3. Choose the key the algorithm is pinned to, and check the signature.
  core::ByteView libjwt_key;
  if (*alg == JwsAlgorithm::hs256) {
    if (!hs256_secret_) return unauthenticated("algorithm not allowed");
    if (auto ok = verify_jws_signature(*parts, *hs256_secret_); !ok) return ok.error();
    libjwt_key = hs256_secret_->reveal();
  } else {
    if (!jwks_) return unauthenticated("algorithm not allowed");
    std::optional<std::string_view> kid;
    if (header->kid) kid = *header->kid;
    const PublicKey* key = jwks_->find(kid);
    if (key == nullptr) return unauthenticated("unknown signing key");
    if (key->algorithm() != *alg) return unauthenticated("algorithm not allowed for this key");
    if (auto ok = verify_jws_signature(*parts, *key); !ok) return ok.error();
    libjwt_key = core::as_bytes(key->pem());
  }

  // 4. libjwt verifies again and parses the payload; it must agree on the algorithm.
  auto payload = libjwt_decode(token, libjwt_key, *alg);
  if (!payload) return payload.error();

  // 5. Claims.
  return check_claims(*payload, policy_, clock_->now());
}

}  // namespace keyrelay::auth
