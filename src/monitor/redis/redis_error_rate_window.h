#pragma once
// The provider error-rate window shared by every node: per provider, one hash of request and error
// counts per tenth of the window ("<prefix>errors:<provider>", fields r<slot>/e<slot>), summed and
// trimmed by one script per request with Redis's clock, and a "reported" key that lives one window
// (SET NX), so all nodes together alert at most once per window. Both expire a window after the
// last request. Redis unreachable: this node's ErrorRateWindow counts (and a fallback is counted).

#include "monitor/error_rate_tracker.h"
#include "monitor/error_rate_window.h"
#include "monitor/redis/redis_client.h"
#include "monitor/redis/redis_script.h"

namespace keyrelay::monitor {

class RedisErrorRateWindow final : public ErrorRateTracker {
 public:
  RedisErrorRateWindow(RedisClient& redis, unsigned threshold_percent, std::uint64_t min_requests,
                       std::chrono::milliseconds window);

  std::optional<ErrorRate> record(std::string_view subject, bool error, TimePoint now) override;

 private:
  RedisClient& redis_;
  const unsigned threshold_percent_;
  const std::uint64_t min_requests_;
  const std::chrono::milliseconds window_;
  const RedisScript script_;
  ErrorRateWindow local_;
};

}  // namespace keyrelay::monitor
