#pragma once
// The JWS compact serialization (RFC 7515 §7.1) taken apart, and its signature step on its own.
//
// JwtVerifier uses these before it hands a token to libjwt: split_jws and parse_jws_header let it
// choose and pin the key from a header it parsed itself (libjwt 1.10 would take the algorithm from
// the token), and verify_jws_signature checks the signature with OpenSSL and, for HS256, a
// constant-time comparison (libjwt 1.10 compares HMACs with strcmp). verify_jws_signature looks at
// nothing but the signing input and the signature, so it also serves published JWS examples
// whose payloads are not JSON claims (RFC 7520 §4.1, §4.4).
//
// Pure functions, thread-safe. Every failure is Errc::unauthenticated with a short generic reason;
// no message ever contains the token or a key.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "auth/jwk.h"
#include "core/result.h"
#include "core/secret.h"

namespace keyrelay::auth {

// Longer tokens are refused before any decoding (libjwt 1.10 copies each segment with alloca).
inline constexpr std::size_t kMaxJwsBytes = 16 * 1024;

// The three segments of a compact JWS, borrowed from the token text (which must outlive them).
struct JwsParts {
  std::string_view header_b64;
  std::string_view payload_b64;
  std::string_view signature_b64;  // may be empty (an unsecured JWS); never verifies
  std::string_view signing_input;  // header_b64 + "." + payload_b64: the bytes that are signed
};

// Splits `token` at its two dots. "malformed token" unless it is at most kMaxJwsBytes long, has
// exactly three segments, non-empty header and payload, and only base64url characters (no
// padding, no whitespace) in every segment.
core::Result<JwsParts> split_jws(std::string_view token);

// The protected header members keyrelay looks at.
struct JwsHeader {
  std::string alg;                 // as written; checked by the caller
  std::optional<std::string> kid;  // absent when the header has none
  std::optional<std::string> typ;
};

// Decodes and parses the header segment. "malformed token header" unless it is strict base64url of
// a JSON object whose "alg" is a string and whose "kid"/"typ", when present, are strings;
// "unsupported critical header" when it has "crit" (keyrelay understands no JWS extensions, so
// RFC 7515 §4.1.11 requires the token to be refused). Other members (jku, x5u, jwk ...) are
// ignored: keys never come from the token.
core::Result<JwsHeader> parse_jws_header(const JwsParts& parts);

// The signature step alone: HMAC-SHA256 of parts.signing_input under `hs256_key`, compared in
// constant time with the decoded signature. "bad signature" on any mismatch or malformed signature.
core::Result<void> verify_jws_signature(const JwsParts& parts, const core::Secret& hs256_key);

// The signature step alone with a public key, using the algorithm the key is pinned to (RS256:
// RSASSA-PKCS1-v1_5 with SHA-256, the signature exactly the modulus length; ES256: ECDSA P-256 with
// SHA-256, the signature exactly 64 bytes R||S). "bad signature" on any mismatch.
core::Result<void> verify_jws_signature(const JwsParts& parts, const PublicKey& key);

}  // namespace keyrelay::auth
