#pragma once
// The registered claims of a verified JWT (RFC 7519 §4.1) and the rules keyrelay applies to them.
// Runs only on a payload whose signature has already been verified.
//
// Pure function, thread-safe. Every failure is Errc::unauthenticated with a short generic reason
// ("token expired", "issuer mismatch", ...); no message contains claim values.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace keyrelay::auth {

using TimePoint = std::chrono::system_clock::time_point;

struct JwtClaims {
  std::string issuer;   // "iss"; "" only when no issuer is required and the token has none
  std::string subject;  // "sub"; never empty
  std::optional<std::string> email;  // "email" when it is a string
  std::optional<std::string> name;   // "name" when it is a string
  std::vector<std::string> audience;  // "aud" as a list (a single string becomes one item)
  TimePoint expires_at{};              // "exp" (required)
  std::optional<TimePoint> not_before;  // "nbf"
  std::optional<TimePoint> issued_at;   // "iat"
};

struct ClaimPolicy {
  std::string issuer;    // when non-empty, "iss" must equal it exactly
  std::string audience;  // when non-empty, "aud" (a string or an array) must contain it
  // Allowed clock difference with the issuer, applied to exp, nbf and iat.
  std::chrono::seconds leeway{60};
};

// Reads and checks the claims of `payload_json` at time `now`:
//   "malformed claims"         not a JSON object, or a registered claim of the wrong type
//   "missing expiry"           no "exp"
//   "token expired"            now >= exp + leeway
//   "token not yet valid"      now + leeway < nbf
//   "token issued in the future"  iat > now + leeway
//   "issuer mismatch"          policy.issuer set and "iss" absent or different
//   "audience mismatch"        policy.audience set and not in "aud"
//   "missing subject"          no "sub", or an empty one
// NumericDate values may be integers or fractions; values outside 1970..2200 are clamped.
core::Result<JwtClaims> check_claims(std::string_view payload_json, const ClaimPolicy& policy,
                                     TimePoint now);

}  // namespace keyrelay::auth
