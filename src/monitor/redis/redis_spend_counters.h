#pragma once
// RedisSpendCounters: the spend caps' counters in Redis, shared by every node (caps/spend_counters.h).
// A counter is a hash {spent, reserved, alerted_80, alerted_100} that expires a day after its
// period; one Lua script checks every cap of a call and reserves on all of them atomically, so two
// nodes can overshoot a cap only by what calls cost beyond their reservations. No local fallback:
// while Redis is unreachable every call fails with unavailable, and the gateway refuses capped
// calls (fail closed). Thread-safe; every call is a network round trip (worker threads only).

#include "caps/spend_counters.h"
#include "monitor/redis/redis_client.h"

namespace keyrelay::monitor {

class RedisSpendCounters final : public caps::SpendCounters {
 public:
  explicit RedisSpendCounters(RedisClient& redis);

  // caps::SpendCounters
  bool blocks() const noexcept override { return true; }
  core::Result<caps::ReserveResult> reserve(const std::vector<caps::CounterDemand>& demands, std::int64_t amount) override;
  core::Result<std::vector<std::int64_t>> settle(const std::vector<caps::CounterDemand>& counters, std::int64_t reserved,
                                                std::int64_t spent) override;
  core::Result<bool> first_alert(const caps::CounterKey& key, int percent) override;
  core::Result<std::optional<Figures>> figures(const caps::CounterKey& key) override;

 private:
  std::string redis_key(const caps::CounterKey& key) const { return redis_.key("spend:" + key.name); }

  RedisClient& redis_;
  const RedisScript reserve_script_;
  const RedisScript settle_script_;
};

}  // namespace keyrelay::monitor
