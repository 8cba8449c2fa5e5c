#pragma once
// What one model costs at one provider, as the catalog's "prices" and the operator's prices file
// (KEYRELAY_PRICES_FILE) state it. Prices are held as integers — micro-USD per million tokens — so
// that no cost is ever a floating-point sum: $0.075 / 1M tokens is 75'000.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace keyrelay::catalog {

struct ModelPrice {
  // An exact model id ("gpt-4o-mini"), or a family: a prefix ending in one '*' ("claude-sonnet-4*";
  // "*" alone matches every model of the provider). See PriceTable::find() for which one wins.
  std::string model;
  std::int64_t input = 0;                    // micro-USD per 1M prompt tokens (neither cached nor cache-written)
  std::optional<std::int64_t> cached_input;  // per 1M tokens read from the prompt cache; none: the input rate
  std::optional<std::int64_t> cache_write;   // per 1M tokens written to the prompt cache; none: the input rate
  std::int64_t output = 0;                   // per 1M completion tokens (reasoning/thinking included)
  // The most completion tokens one call can produce, where the provider's docs state it: a spend
  // cap reserves a call's worst case, which is this when the request sets no max_tokens.
  std::optional<std::int64_t> max_output_tokens;
  std::string read_on;                       // YYYY-MM-DD: when the price was read
  std::string source;                        // the pricing page it was read from
};

// The prices of one provider in a prices file.
struct ProviderPrices {
  std::string provider;
  std::vector<ModelPrice> prices;
};

// The operator's prices file: catalog.json's shape restricted to each provider's "id" and
// "prices", i.e. [{"id":"openai","prices":[{"model":…,"input":…,…}]}]. invalid_request naming the
// provider and the entry for anything malformed (a price that is negative, not a number, or finer
// than a micro-dollar per 1M tokens; a pattern with '*' anywhere but at its end; a model named
// twice; a missing read_on or source).
core::Result<std::vector<ProviderPrices>> parse_prices_file(std::string_view json);

}  // namespace keyrelay::catalog
