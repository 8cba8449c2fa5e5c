#pragma once
// The burst windows (management changes, failed validations per user) shared by every node: one
// sorted set of event times per subject ("<prefix>burst:<name>:<subject>"), trimmed to the window
// and completed by one script per event, with Redis's clock. It expires a window after its last
// event. Redis unreachable: this node's BurstDetector counts (and a fallback is counted).

#include <string>

#include "monitor/burst_counter.h"
#include "monitor/burst_detector.h"
#include "monitor/redis/redis_client.h"
#include "monitor/redis/redis_script.h"

namespace keyrelay::monitor {

class RedisBurstDetector final : public BurstCounter {
 public:
  // `name` tells this detector's keys apart from another's ("management", "validation_failures").
  RedisBurstDetector(RedisClient& redis, std::string name, std::uint32_t threshold, std::chrono::milliseconds window);

  bool record(std::string_view subject, TimePoint now) override;

 private:
  RedisClient& redis_;
  const std::string name_;
  const std::uint32_t threshold_;
  const std::chrono::milliseconds window_;
  const RedisScript script_;
  BurstDetector local_;
};

}  // namespace keyrelay::monitor
