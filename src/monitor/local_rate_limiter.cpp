#include "monitor/local_rate_limiter.h"

#include <algorithm>

namespace keyrelay::monitor {

RateDecision LocalRateLimiter::acquire(std::string_view key, const RateLimit& limit,
                                       std::chrono::steady_clock::time_point now) {
  if (!limit.enabled()) {
    GcraState unlimited;
    return gcra_acquire(unlimited, limit, 0);
  }
  const std::int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  Shard& shard = shards_[StringHash{}(key) % kShards];
  std::lock_guard lock(shard.mutex);
  auto it = shard.buckets.find(key);
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= shard.sweep_at) {
      std::erase_if(shard.buckets, [now_ns](const auto& entry) { return gcra_is_full(entry.second, now_ns); });
      shard.sweep_at = std::max<std::size_t>(1024, shard.buckets.size() * 2);
    }
    it = shard.buckets.emplace(std::string(key), GcraState{}).first;
  }
  return gcra_acquire(it->second, limit, now_ns);
}

std::size_t LocalRateLimiter::size() const {
  std::size_t n = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    n += shard.buckets.size();
  }
  return n;
}

}  // namespace keyrelay::monitor
