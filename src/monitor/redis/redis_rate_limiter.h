#pragma once
// RateLimiter shared by every node through Redis: the GCRA step of monitor/gcra.cpp as ONE Lua
// script per check (one round trip; Redis runs it atomically, so two nodes can never both spend
// the last unit). The clock is Redis's own (TIME inside the script), not the caller's: the nodes'
// clocks may disagree, and a steady clock means nothing outside its process. The bucket's key
// expires when the bucket would be full again, so Redis holds only buckets in use.
//
// Redis unreachable: the check goes to this node's LocalRateLimiter (limits become per node) and
// counts a fallback; RedisClient logs the outage once. Thread-safe.

#include "monitor/local_rate_limiter.h"
#include "monitor/rate_limiter.h"
#include "monitor/redis/redis_client.h"
#include "monitor/redis/redis_script.h"

namespace keyrelay::monitor {

class RedisRateLimiter final : public RateLimiter {
 public:
  explicit RedisRateLimiter(RedisClient& redis);

  // `now` is used only by the local fallback; Redis decides with its own clock.
  RateDecision acquire(std::string_view key, const RateLimit& limit,
                       std::chrono::steady_clock::time_point now) override;

 private:
  RedisClient& redis_;
  const RedisScript script_;
  LocalRateLimiter local_;
};

}  // namespace keyrelay::monitor
