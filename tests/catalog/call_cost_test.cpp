// Cost arithmetic: every token priced once at its own rate, integer micro-USD rounded once per call.

#include "catalog/call_cost.h"

#include <gtest/gtest.h>

#include <limits>

namespace keyrelay::catalog {
namespace {

// $3 input, $0.30 cached, $3.75 cache write, $15 output per 1M tokens (Claude Sonnet 4's rates).
ModelPrice sonnet() {
  ModelPrice p;
  p.input = 3'000'000;
  p.cached_input = 300'000;
  p.cache_write = 3'750'000;
  p.output = 15'000'000;
  return p;
}

TEST(CallCost, PlainInputAndOutput) {
  // 1000 × $3/1M + 500 × $15/1M = $0.003 + $0.0075 = 10'500 µUSD.
  EXPECT_EQ(call_cost_micro_usd(sonnet(), {.input = 1000, .output = 500}), 10'500);
}

TEST(CallCost, CachedAndWrittenTokensArePricedAtTheirOwnRateAndNotAlsoAsInput) {
  // 1000 prompt tokens of which 600 cached and 300 written: 100 × 3 + 600 × 0.3 + 300 × 3.75 = 300 + 180 + 1125.
  EXPECT_EQ(call_cost_micro_usd(sonnet(), {.input = 1000, .cached_input = 600, .cache_write = 300}), 1'605);
}

TEST(CallCost, ARateThePriceLeavesOutIsTheInputRate) {
  ModelPrice p;
  p.input = 2'000'000;
  p.output = 8'000'000;
  EXPECT_EQ(call_cost_micro_usd(p, {.input = 1000, .cached_input = 400, .cache_write = 100, .output = 10}),
            1000 * 2 + 10 * 8);
}

TEST(CallCost, RoundsOncePerCallToTheNearestMicroDollarHalvesUp) {
  ModelPrice p;
  p.input = 500'000;  // $0.50 / 1M: one token costs half a micro-dollar
  p.output = 400'000;
  EXPECT_EQ(call_cost_micro_usd(p, {.input = 1}), 1);               // 0.5 → 1
  EXPECT_EQ(call_cost_micro_usd(p, {.output = 1}), 0);              // 0.4 → 0
  EXPECT_EQ(call_cost_micro_usd(p, {.input = 1, .output = 1}), 1);  // 0.9 → 1: summed first, rounded once
  EXPECT_EQ(call_cost_micro_usd(p, {.input = 3}), 2);               // 1.5 → 2
}

TEST(CallCost, ContradictoryCountsNeverGoNegativeAndHugeOnesSaturate) {
  EXPECT_EQ(call_cost_micro_usd(sonnet(), {.input = 10, .cached_input = 1'000'000}), 300'000);
  ModelPrice p;
  p.input = 1'000'000'000'000;  // $1M per 1M tokens, the largest price a file may state
  p.output = p.input;
  const auto max = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(call_cost_micro_usd(p, {.input = max, .output = max}), std::numeric_limits<std::int64_t>::max());
}

TEST(CallCost, NothingCostsNothing) { EXPECT_EQ(call_cost_micro_usd(sonnet(), {}), 0); }

}  // namespace
}  // namespace keyrelay::catalog
