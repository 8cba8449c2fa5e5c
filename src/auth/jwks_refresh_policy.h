#pragma once
// When keyrelay fetches a JWKS URL's key set again: from the answer's cache headers, bounded.
//
//   Cache-Control max-age=N  → N seconds (it wins over Expires, RFC 9111 §5.3);
//   no-store, no-cache       → the lower bound;
//   Expires: <HTTP-date>     → until that date; a date in the past or one that does not parse
//                              counts as already expired (RFC 9111 §5.3) → the lower bound;
//   neither                  → `without_headers`.
// The result is clamped to [min_refresh, max_refresh]: a key set that says "max-age=5" is not
// fetched every 5 seconds, and one that says "cache for a year" is still checked daily. After a
// failed fetch the next attempt comes `after_failure` later (the last good set stays in use).
//
// Pure functions; thread-safe.

#include <chrono>
#include <optional>
#include <string_view>

namespace keyrelay::auth {

struct JwksRefreshPolicy {
  std::chrono::seconds min_refresh{5 * 60};        // never more often than every 5 minutes
  std::chrono::seconds max_refresh{24 * 60 * 60};  // never less often than daily
  std::chrono::seconds without_headers{60 * 60};   // an answer with no cache headers: hourly
  std::chrono::seconds after_failure{5 * 60};      // a failed fetch is tried again this much later
};

// The delay until the next scheduled fetch after an answer with these headers, received at `now`.
std::chrono::seconds jwks_refresh_delay(std::optional<std::string_view> cache_control,
                                        std::optional<std::string_view> expires,
                                        std::chrono::system_clock::time_point now,
                                        const JwksRefreshPolicy& policy);

// The max-age of a Cache-Control value ("public, max-age=600" → 600 s), 0 for no-store/no-cache,
// nullopt when it sets neither (or max-age is not a number).
std::optional<std::chrono::seconds> cache_control_max_age(std::string_view cache_control);

// An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110 §5.6.7); nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

}  // namespace keyrelay::auth
