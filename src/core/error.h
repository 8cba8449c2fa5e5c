#pragma once
// The error vocabulary of keyrelay: a typed code (spelled like the wire codes of API.md) and a
// message that is safe to show a client. Errors are mapped to HTTP once, in http/error_response.cpp.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace keyrelay::core {

enum class Errc {
  invalid_request,
  unauthenticated,
  forbidden,
  not_found,
  method_not_allowed,
  conflict,
  payload_too_large,
  headers_too_large,
  unsupported_media_type,
  rate_limited,
  spend_cap_exceeded,
  no_usable_key,
  upstream_error,
  upstream_timeout,
  unavailable,
  internal,
};

// The wire spelling of `code` ("invalid_request", ...).
std::string_view errc_name(Errc code) noexcept;

// What a limit's refusal reports in RateLimit-Limit / -Remaining / -Reset.
struct RateLimitFigures {
  std::uint32_t limit = 0;
  std::uint32_t remaining = 0;
  std::chrono::seconds reset{0};
};

struct Error {
  Errc code = Errc::internal;
  // Safe to show whoever caused it: never a secret, never SQL. Request errors name no server paths;
  // start-up errors (config, keyring) do name the file at fault, for the operator.
  std::string message;
  // Only for rate_limited and spend_cap_exceeded: how long the client should wait.
  std::optional<std::chrono::seconds> retry_after;
  // Only for rate_limited by one of keyrelay's limits, where no handler sets the headers itself (a
  // lockout refuses before any handler runs).
  std::optional<RateLimitFigures> rate_limit = std::nullopt;

  static Error invalid_request(std::string m) { return {Errc::invalid_request, std::move(m), {}}; }
  static Error unauthenticated(std::string m) { return {Errc::unauthenticated, std::move(m), {}}; }
  static Error forbidden(std::string m) { return {Errc::forbidden, std::move(m), {}}; }
  static Error not_found(std::string m) { return {Errc::not_found, std::move(m), {}}; }
  static Error method_not_allowed(std::string m) { return {Errc::method_not_allowed, std::move(m), {}}; }
  static Error conflict(std::string m) { return {Errc::conflict, std::move(m), {}}; }
  static Error payload_too_large(std::string m) { return {Errc::payload_too_large, std::move(m), {}}; }
  static Error headers_too_large(std::string m) { return {Errc::headers_too_large, std::move(m), {}}; }
  static Error unsupported_media_type(std::string m) {
    return {Errc::unsupported_media_type, std::move(m), {}};
  }
  static Error rate_limited(std::string m, std::chrono::seconds retry_after) {
    return {Errc::rate_limited, std::move(m), retry_after};
  }
  // A spend cap would be exceeded (402); `retry_after`: until the cap resets.
  static Error spend_cap_exceeded(std::string m, std::chrono::seconds retry_after) {
    return {Errc::spend_cap_exceeded, std::move(m), retry_after};
  }
  static Error no_usable_key(std::string m) { return {Errc::no_usable_key, std::move(m), {}}; }
  static Error upstream_error(std::string m) { return {Errc::upstream_error, std::move(m), {}}; }
  static Error upstream_timeout(std::string m) { return {Errc::upstream_timeout, std::move(m), {}}; }
  static Error unavailable(std::string m) { return {Errc::unavailable, std::move(m), {}}; }
  // The message of an internal error is for the log only; clients see no details.
  static Error internal(std::string m) { return {Errc::internal, std::move(m), {}}; }
};

}  // namespace keyrelay::core
