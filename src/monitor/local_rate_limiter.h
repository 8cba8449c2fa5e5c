#pragma once
// RateLimiter in this process's memory: one node's limits. Buckets live in shards, each behind its
// own mutex, so concurrent requests for different users rarely wait on each other; a shard drops
// its full (refilled) buckets when it grows, so memory follows the active subjects, not all ever seen.

#include <array>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include "monitor/gcra.h"
#include "monitor/rate_limiter.h"

namespace keyrelay::monitor {

class LocalRateLimiter final : public RateLimiter {
 public:
  RateDecision acquire(std::string_view key, const RateLimit& limit,
                       std::chrono::steady_clock::time_point now) override;

  // Buckets currently remembered (for tests of the clean-up).
  std::size_t size() const;

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, GcraState, StringHash, std::equal_to<>> buckets;
    std::size_t sweep_at = 1024;  // size at which full buckets are dropped
  };
  static constexpr std::size_t kShards = 16;
  std::array<Shard, kShards> shards_;
};

}  // namespace keyrelay::monitor
