#include "auth/jwt_claims.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

namespace keyrelay::auth {
namespace {

namespace json = boost::json;

// 2200-01-01T00:00:00Z. Later dates are clamped so that time_point arithmetic (nanoseconds in
// libstdc++, good until 2262) cannot overflow; a clamped exp is still far in the future.
constexpr double kMaxNumericDate = 7258118400.0;

core::Error unauthenticated(const char* reason) { return core::Error::unauthenticated(reason); }

// A NumericDate claim: absent → nullopt; a number → its time; anything else → "malformed claims".
core::Result<std::optional<TimePoint>> numeric_date(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  if (v == nullptr) return std::optional<TimePoint>{};
  double seconds;
  if (v->is_int64()) seconds = static_cast<double>(v->get_int64());
  else if (v->is_uint64()) seconds = static_cast<double>(v->get_uint64());
  else if (v->is_double()) seconds = v->get_double();
  else return unauthenticated("malformed claims");
  if (!std::isfinite(seconds)) return unauthenticated("malformed claims");
  seconds = std::clamp(seconds, 0.0, kMaxNumericDate);
  const auto since_epoch = std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::duration<double>(seconds));
  return std::optional<TimePoint>{TimePoint(since_epoch)};
}

// A string claim: absent → nullopt; a string → its text; anything else → "malformed claims".
core::Result<std::optional<std::string>> string_claim(const json::object& claims,
                                                      std::string_view name) {
  const json::value* v = claims.if_contains(name);
  if (v == nullptr) return std::optional<std::string>{};
  if (!v->is_string()) return unauthenticated("malformed claims");
  return std::optional<std::string>{std::string(v->get_string())};
}

// "aud" as a list; a non-string element or another type is malformed.
core::Result<std::vector<std::string>> audience_claim(const json::object& claims) {
  std::vector<std::string> out;
  const json::value* v = claims.if_contains("aud");
  if (v == nullptr) return out;
  if (v->is_string()) {
    out.emplace_back(v->get_string());
    return out;
  }
  if (!v->is_array()) return unauthenticated("malformed claims");
  for (const auto& item : v->get_array()) {
    if (!item.is_string()) return unauthenticated("malformed claims");
    out.emplace_back(item.get_string());
  }
  return out;
}

// "email" and "name" are informational: a value of another type is ignored, not an error.
std::optional<std::string> optional_text(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

}  // namespace

core::Result<JwtClaims> check_claims(std::string_view payload_json, const ClaimPolicy& policy,
                                     TimePoint now) {
  boost::system::error_code ec;
  json::value root = json::parse(payload_json, ec);
  if (ec || !root.is_object()) return unauthenticated("malformed claims");
  const json::object& claims = root.get_object();

  auto exp = numeric_date(claims, "exp");
  if (!exp) return exp.error();
  auto nbf = numeric_date(claims, "nbf");
  if (!nbf) return nbf.error();
  auto iat = numeric_date(claims, "iat");
  if (!iat) return iat.error();
  auto iss = string_claim(claims, "iss");
  if (!iss) return iss.error();
  auto sub = string_claim(claims, "sub");
  if (!sub) return sub.error();
  auto aud = audience_claim(claims);
  if (!aud) return aud.error();

  // Time first: an expired token is reported as expired whatever else is wrong with it.
  if (!exp->has_value()) return unauthenticated("missing expiry");
  if (now >= **exp + policy.leeway) return unauthenticated("token expired");
  if (nbf->has_value() && now + policy.leeway < **nbf) return unauthenticated("token not yet valid");
  if (iat->has_value() && **iat > now + policy.leeway) {
    return unauthenticated("token issued in the future");
  }

  if (!policy.issuer.empty() && (!iss->has_value() || **iss != policy.issuer)) {
    return unauthenticated("issuer mismatch");
  }
  if (!policy.audience.empty() &&
      std::find(aud->begin(), aud->end(), policy.audience) == aud->end()) {
    return unauthenticated("audience mismatch");
  }
  if (!sub->has_value() || (*sub)->empty()) return unauthenticated("missing subject");

  JwtClaims out;
  out.issuer = iss->value_or("");
  out.subject = std::move(**sub);
  out.email = optional_text(claims, "email");
  out.name = optional_text(claims, "name");
  out.audience = std::move(*aud);
  out.expires_at = **exp;
  out.not_before = *nbf;
  out.issued_at = *iat;
  return out;
}

}  // namespace keyrelay::auth
