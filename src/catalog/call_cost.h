#pragma once
// The cost of one call from the provider's own token counts and a ModelPrice, in integer micro-USD.
//
// Every token is priced once, in exactly one class: the prompt's cached tokens at the cached rate,
// its cache-written tokens at the cache-write rate, the rest of the prompt at the input rate, and
// the completion (reasoning included) at the output rate. A rate the price leaves out (none) is the
// input rate. The exact sum, in micro-USD × 1M, is rounded once per call to the nearest micro-USD
// (halves up); no floating point anywhere.

#include <cstdint>

#include "catalog/model_price.h"

namespace keyrelay::catalog {

// One call's tokens, normalised from every wire to OpenAI's meaning: `input` counts every prompt
// token, the cached and cache-written ones included (Anthropic's input_tokens excludes them: the
// wire adds them in before they get here).
struct TokenCounts {
  std::uint64_t input = 0;         // every prompt token
  std::uint64_t cached_input = 0;  // of `input`: read from the prompt cache
  std::uint64_t cache_write = 0;   // of `input`: written to the prompt cache
  std::uint64_t output = 0;        // completion tokens, reasoning/thinking included
};

// micro-USD. Counts that contradict each other (cached + written > input) are taken at their word
// for the cached and written tokens, and the plain input is then zero. Saturates at INT64_MAX.
std::int64_t call_cost_micro_usd(const ModelPrice& price, const TokenCounts& tokens) noexcept;

}  // namespace keyrelay::catalog
