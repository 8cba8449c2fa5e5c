#pragma once
// Web origins as an operator lists them (KEYRELAY_CORS_ORIGINS): "scheme://host[:port]", exactly
// as a browser sends it in Origin — no path, no trailing slash, no wildcard. Pure; thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace keyrelay::config {

// Parses a comma-separated list ("https://app.example.com, http://localhost:3000"); blanks around
// items are dropped, duplicates kept once. invalid_request naming the first item that is not an
// http(s) origin.
core::Result<std::vector<std::string>> parse_origin_list(std::string_view text);

}  // namespace keyrelay::config
