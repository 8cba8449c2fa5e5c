#include "auth/jwt_verifier.h"

#include <strings.h>

#include <tuple>
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
  if (!options.hs256_secret && !options.jwks_file && !options.jwks_url) {
    return core::Error::invalid_request("JWT verification needs an HS256 secret, a JWKS file or a JWKS URL");
  }
  if (options.jwks_file && options.jwks_url) {
    return core::Error::invalid_request("JWT keys come from a JWKS file or a JWKS URL, not both");
  }
  if (options.hs256_secret && options.hs256_secret->size() < kMinHs256SecretBytes) {
    return core::Error::invalid_request("the JWT HS256 secret must be at least 32 bytes");
  }
  if (options.leeway < std::chrono::seconds::zero() || options.leeway > kMaxLeeway) {
    return core::Error::invalid_request("the JWT leeway must be between 0 and 3600 seconds");
  }
  std::shared_ptr<const Jwks> file_jwks;
  if (options.jwks_file) {
    auto loaded = Jwks::load(*options.jwks_file);
    if (!loaded) return loaded.error();
    file_jwks = std::make_shared<const Jwks>(std::move(*loaded));
  }
  ClaimPolicy policy{std::move(options.issuer), std::move(options.audience), options.leeway};
  return JwtVerifier(std::move(options.hs256_secret), std::move(file_jwks), std::move(options.jwks_url),
                     std::move(policy), clock);
}

JwtVerifier::JwtVerifier(std::optional<core::Secret> secret, std::shared_ptr<const Jwks> file_jwks,
                         std::shared_ptr<RemoteJwks> url_jwks, ClaimPolicy policy, const core::Clock& clock)
    : hs256_secret_(std::move(secret)),
      file_jwks_(std::move(file_jwks)),
      url_jwks_(std::move(url_jwks)),
      policy_(std::move(policy)),
      clock_(&clock) {}

std::shared_ptr<const Jwks> JwtVerifier::jwks() const {
  return url_jwks_ ? url_jwks_->current() : file_jwks_;
}

std::pair<std::shared_ptr<const Jwks>, const PublicKey*> JwtVerifier::find_key(
    std::optional<std::string_view> kid) const {
  std::shared_ptr<const Jwks> set = jwks();
  const PublicKey* key = set->find(kid);
  // Only a named kid can be missing because the provider rotated; no kid is not worth a fetch.
  if (key == nullptr && kid && url_jwks_) {
    set = url_jwks_->refetch_for_unknown_kid();
    key = set->find(kid);
  }
  return {std::move(set), key};
}

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
  std::shared_ptr<const Jwks> key_set;  // holds the key libjwt_key points into until the end
  if (*alg == JwsAlgorithm::hs256) {
    if (!hs256_secret_) return unauthenticated("algorithm not allowed");
    if (auto ok = verify_jws_signature(*parts, *hs256_secret_); !ok) return ok.error();
    libjwt_key = hs256_secret_->reveal();
  } else {
    if (!file_jwks_ && !url_jwks_) return unauthenticated("algorithm not allowed");
    std::optional<std::string_view> kid;
    if (header->kid) kid = *header->kid;
    const PublicKey* key = nullptr;
    std::tie(key_set, key) = find_key(kid);
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
