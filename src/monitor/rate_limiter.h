#pragma once
// Rate limiting behind one interface (ARCHITECTURE.md: local in memory on one node, Redis when
// several nodes share counters). Each call both checks and, when allowed, spends one unit.
//
// The algorithm is GCRA (generic cell rate algorithm): one "theoretical arrival time" per bucket
// key instead of a window of timestamps, so a bucket is 8 bytes, a check is O(1), and "10 per
// minute" means a burst of 10 at once, then one more every 6 s — no window-edge double bursts.

#include <chrono>
#include <cstdint>
#include <string_view>

namespace keyrelay::monitor {

// `count` requests per `period`, all of them available at once.
struct RateLimit {
  std::uint32_t count = 0;
  std::chrono::milliseconds period{0};
  bool enabled() const noexcept { return count > 0 && period.count() > 0; }
};

// The answer for one request, with what the RateLimit-* headers report.
struct RateDecision {
  bool allowed = true;
  std::uint32_t limit = 0;                 // RateLimit-Limit
  std::uint32_t remaining = 0;             // RateLimit-Remaining: requests allowed right now after this one
  std::chrono::milliseconds reset{0};      // RateLimit-Reset: until the bucket is full again
  std::chrono::milliseconds retry_after{0};  // when refused: until one more request is allowed
};

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Checks `key` (bucket name and subject, e.g. "mutation:<user id>") against `limit` at `now` and
  // spends one unit when allowed. Thread-safe.
  virtual RateDecision acquire(std::string_view key, const RateLimit& limit,
                               std::chrono::steady_clock::time_point now) = 0;
};

}  // namespace keyrelay::monitor
