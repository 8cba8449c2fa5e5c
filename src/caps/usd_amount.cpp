#include "caps/usd_amount.h"

#include <cmath>
#include <limits>

namespace keyrelay::caps {

core::Result<std::int64_t> micro_usd_from_usd(double usd, std::string_view field) {
  const std::string name(field);
  if (!std::isfinite(usd)) return core::Error::invalid_request(name + " must be a finite number of USD");
  if (usd < 0) return core::Error::invalid_request(name + " must not be negative");
  const double scaled = usd * static_cast<double>(kMicroPerUsd);
  if (scaled > static_cast<double>(kMaxCapMicroUsd))
    return core::Error::invalid_request(name + " must be at most 1000000000 USD");
  const double whole = std::nearbyint(scaled);
  // A decimal literal with 6 decimals lands within a few ulps of a whole number once scaled.
  const double tolerance = 4 * std::numeric_limits<double>::epsilon() * std::max(1.0, scaled);
  if (std::fabs(scaled - whole) > tolerance)
    return core::Error::invalid_request(name + " must have at most 6 decimals (whole micro-dollars)");
  return static_cast<std::int64_t>(whole);
}

double usd_from_micro(std::int64_t micro_usd) noexcept {
  return static_cast<double>(micro_usd) / static_cast<double>(kMicroPerUsd);
}

std::string format_usd(std::int64_t micro_usd) {
  const bool negative = micro_usd < 0;
  const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(micro_usd) : static_cast<std::uint64_t>(micro_usd);
  std::string fraction = std::to_string(magnitude % kMicroPerUsd);
  fraction.insert(0, 6 - fraction.size(), '0');
  while (fraction.size() > 2 && fraction.back() == '0') fraction.pop_back();
  return std::string(negative ? "-$" : "$") + std::to_string(magnitude / kMicroPerUsd) + "." + fraction;
}

}  // namespace keyrelay::caps
