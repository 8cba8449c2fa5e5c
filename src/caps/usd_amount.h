#pragma once
// USD amounts as caps hold them: integer micro-USD (1 USD = 1,000,000 micro-USD), so sums and
// comparisons are exact; converted from and to the API's decimal numbers at the edge.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace keyrelay::caps {

inline constexpr std::int64_t kMicroPerUsd = 1'000'000;
// The largest cap accepted: one billion USD (far beyond any real budget, far inside int64).
inline constexpr std::int64_t kMaxCapMicroUsd = 1'000'000'000 * kMicroPerUsd;

// `usd` in micro-USD. invalid_request naming `field` when it is not finite, negative, above
// kMaxCapMicroUsd, or has more than 6 decimals (a value within a few ulps of a whole micro-USD, as
// decimal literals such as 0.000001 parse, counts as whole).
core::Result<std::int64_t> micro_usd_from_usd(double usd, std::string_view field);

// The nearest double of `micro_usd` in USD (exact to 1e-6 for any cap).
double usd_from_micro(std::int64_t micro_usd) noexcept;

// "$5.00", "$0.125", "$1,234.50" style text for messages: at least 2 decimals, up to 6 when needed,
// no thousands separators ("$1234.50").
std::string format_usd(std::int64_t micro_usd);

}  // namespace keyrelay::caps
