#include "catalog/call_cost.h"

#include <algorithm>
#include <limits>

namespace keyrelay::catalog {

std::int64_t call_cost_micro_usd(const ModelPrice& price, const TokenCounts& tokens) noexcept {
  using Wide = unsigned __int128;  // tokens (< 2^64) × rate (< 2^40) summed four times fits easily
  const std::uint64_t special = tokens.cached_input + tokens.cache_write;
  const std::uint64_t plain = tokens.input - std::min(tokens.input, special);
  const auto rate = [](std::int64_t r) { return static_cast<Wide>(static_cast<std::uint64_t>(std::max<std::int64_t>(r, 0))); };
  const Wide scaled = Wide(plain) * rate(price.input) +
                      Wide(tokens.cached_input) * rate(price.cached_input.value_or(price.input)) +
                      Wide(tokens.cache_write) * rate(price.cache_write.value_or(price.input)) +
                      Wide(tokens.output) * rate(price.output);
  // Prices are per 1M tokens: divide once, rounding halves up.
  const Wide micro = (scaled + 500'000) / 1'000'000;
  constexpr auto kMax = static_cast<Wide>(std::numeric_limits<std::int64_t>::max());
  return micro > kMax ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(micro);
}

}  // namespace keyrelay::catalog
