#pragma once
// Verifies JWTs from an external identity provider (Supabase, Auth0, ...), configured with an
// HS256 secret (KEYRELAY_JWT_SECRET), a key set of RS256/ES256 public keys — from a JWKS file
// (KEYRELAY_JWT_JWKS_FILE) or a URL kept fresh by RemoteJwks (KEYRELAY_JWT_JWKS_URL) — or both,
// plus an expected issuer and audience.
//
// verify() follows ARCHITECTURE.md ("JWT with libjwt 1.10"):
//   1. split the compact token and parse its header ourselves (jws.h); "alg" must be HS256, RS256
//      or ES256 — "none", a missing alg and anything else are refused;
//   2. pick the key: HS256 only with the configured secret (any "kid" is ignored); RS256/ES256 by
//      "kid" from the key set, and the header alg must be the one that key is pinned to; a kid the
//      URL's set lacks asks RemoteJwks for a fresh set once (rate limited there) before refusing;
//   3. check the signature with OpenSSL (jws.h; constant-time for HS256);
//   4. decode with libjwt's jwt_decode using that key, and refuse unless jwt_get_alg() is the pinned
//      algorithm (libjwt_decode.h);
//   5. check exp (required), nbf, iat, iss, aud and sub against the injected clock with the leeway
//      (jwt_claims.h).
// Every failure is Errc::unauthenticated with a short generic reason ("bad signature", "token
// expired", "issuer mismatch", ...). Neither the token nor a key ever appears in a message.
//
// Thread-safe after construction: verify() is const and touches only immutable state or the
// thread-safe RemoteJwks. Owns the secret (wiped on destruction) and the keys (shares a URL's
// RemoteJwks); borrows the clock, which must outlive the verifier.
// Move-only.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/jwks.h"
#include "auth/jwt_claims.h"
#include "auth/remote_jwks.h"
#include "core/clock.h"
#include "core/result.h"
#include "core/secret.h"

namespace keyrelay::auth {

// RFC 7518 §3.2: an HS256 key must be at least as long as the hash output.
inline constexpr std::size_t kMinHs256SecretBytes = 32;

struct JwtOptions {
  // Accept HS256 tokens signed with this secret (at least 32 bytes). Unset: HS256 is refused.
  std::optional<core::Secret> hs256_secret;
  // Accept RS256/ES256 tokens signed by a key of this JWKS file (read once, at create()).
  std::optional<std::filesystem::path> jwks_file;
  // Or: accept RS256/ES256 tokens signed by a key of this URL's set (already started). Not both.
  std::shared_ptr<RemoteJwks> jwks_url;
  // When non-empty, "iss" is required and must equal it. It also forms the user's external id.
  std::string issuer;
  // When non-empty, "aud" is required and must contain it.
  std::string audience;
  // Allowed clock difference with the identity provider for exp, nbf and iat; 0..1 hour.
  std::chrono::seconds leeway{60};
};

class JwtVerifier {
 public:
  // Validates `options` and loads the key set. Errc::invalid_request when neither a secret nor a
  // key set is given, both a file and a URL are, the secret is shorter than 32 bytes, the leeway is negative or over an hour,
  // or the key set breaks a rule (jwks.h; the message names the file and the key); Errc::not_found
  // or Errc::internal when the file is missing or unreadable. `clock` must outlive the verifier.
  static core::Result<JwtVerifier> create(JwtOptions options, const core::Clock& clock);

  JwtVerifier(JwtVerifier&&) noexcept = default;
  JwtVerifier& operator=(JwtVerifier&&) noexcept = default;
  JwtVerifier(const JwtVerifier&) = delete;
  JwtVerifier& operator=(const JwtVerifier&) = delete;
  ~JwtVerifier() = default;

  // The claims of `token` when every step above passes; otherwise Errc::unauthenticated.
  core::Result<JwtClaims> verify(std::string_view token) const;

  bool accepts_hs256() const noexcept { return hs256_secret_.has_value(); }
  // The key set in use now, from the file or the URL (null when none was configured).
  std::shared_ptr<const Jwks> jwks() const;

 private:
  JwtVerifier(std::optional<core::Secret> secret, std::shared_ptr<const Jwks> file_jwks,
              std::shared_ptr<RemoteJwks> url_jwks, ClaimPolicy policy, const core::Clock& clock);
  // The key `kid` selects, with the set that holds it (kept alive while the key is used); a kid
  // the URL's set lacks asks for a fresh set first. Null key: no such key.
  std::pair<std::shared_ptr<const Jwks>, const PublicKey*> find_key(std::optional<std::string_view> kid) const;

  std::optional<core::Secret> hs256_secret_;
  std::shared_ptr<const Jwks> file_jwks_;
  std::shared_ptr<RemoteJwks> url_jwks_;
  ClaimPolicy policy_;
  const core::Clock* clock_;  // borrowed
};

}  // namespace keyrelay::auth
