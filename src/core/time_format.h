#pragma once
// RFC 3339 timestamps in UTC, the only time format on the wire ("2026-11-23T18:57:00.123Z").

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace keyrelay::core {

// Millisecond precision, always with a 'Z' suffix.
std::string format_rfc3339(std::chrono::system_clock::time_point t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)" (also 't'/'z'); nullopt for anything else,
// including impossible dates such as February 30 and times system_clock cannot hold (after
// 2262-04-11T23:47:15Z or before 1677-09-22 with libstdc++'s nanoseconds).
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace keyrelay::core
