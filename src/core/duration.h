#pragma once
// Human durations in configuration and on the command line: "250ms", "10s", "5m", "12h", "30d".
// A bare number is refused: a unit is always required so "10" is never misread.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace keyrelay::core {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
// The shortest exact spelling ("1500ms", "2m", "30d").
std::string format_duration(std::chrono::milliseconds d);

}  // namespace keyrelay::core
