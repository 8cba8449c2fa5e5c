#pragma once
// Cross-origin requests from the browser pages of a host app (KEYRELAY_CORS_ORIGINS): for the
// routes of one family (the management API, /api/v1/), a preflight OPTIONS is answered for each
// route, and every answer to a listed Origin — errors included — carries
// Access-Control-Allow-Origin with exactly that origin and `Vary: Origin`. An unlisted origin gets
// no CORS headers at all, so the browser refuses the page its answer. Never "*", and never
// Access-Control-Allow-Credentials: keyrelay takes bearer tokens, not cookies.
//
// Applied once at start, after the family's routes are added; without origins nothing changes.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "http/router.h"

namespace keyrelay::http {

struct CorsPolicy {
  std::vector<std::string> origins;        // exact origins ("https://app.example.com"), compared as sent
  std::chrono::seconds max_age{600};       // how long a browser may cache a preflight answer
};

// Decorates every route under `prefix` and adds OPTIONS to each of their patterns.
void enable_cors(Router& router, std::string_view prefix, const CorsPolicy& policy);

}  // namespace keyrelay::http
