#pragma once
// The GCRA step on one bucket's state, as a pure function (the local limiter keeps the state in
// memory; a Redis limiter runs the same arithmetic in a script).

#include <chrono>
#include <cstdint>

#include "monitor/rate_limiter.h"

namespace keyrelay::monitor {

// A bucket's state: its theoretical arrival time in steady-clock nanoseconds (0 = never used).
struct GcraState {
  std::int64_t tat_ns = 0;
};

// Decides one request at `now_ns` and advances `state` when it is allowed.
RateDecision gcra_acquire(GcraState& state, const RateLimit& limit, std::int64_t now_ns);

// True when the bucket has refilled completely by `now_ns` (its state can be forgotten).
inline bool gcra_is_full(const GcraState& state, std::int64_t now_ns) { return state.tat_ns <= now_ns; }

}  // namespace keyrelay::monitor
