#pragma once
// What one `keyrelay serve` shares with the other nodes, chosen at start (issue 13 item 6): with
// KEYRELAY_REDIS_URL, the rate limiter, the auth-failure lockout, the burst and error-rate windows,
// the key.new_client sightings and the webhook queue live in Redis (each falling back to this
// node's memory while Redis is unreachable); without it, everything stays in this process.

#include <memory>

#include "api/protection.h"
#include "config/config.h"
#include "core/result.h"
#include "monitor/client_baseline.h"
#include "monitor/error_rate_tracker.h"
#include "monitor/keyrelay_metrics.h"
#include "monitor/rate_limiter.h"
#include "monitor/redis/redis_client.h"
#include "monitor/webhook_queue.h"

namespace keyrelay::cli {

struct NodeSharing {
  std::unique_ptr<monitor::RedisClient> redis;            // null: no Redis
  std::unique_ptr<monitor::RateLimiter> limiter;          // Redis's or this node's
  api::ProtectionWindows protection;                      // lockout and burst windows
  std::shared_ptr<monitor::ClientBaseline> clients;       // null: UsageAlerts keeps its own
  std::shared_ptr<monitor::ErrorRateTracker> error_rates;  // null: UsageAlerts keeps its own
  std::unique_ptr<monitor::WebhookQueue> webhook_queue;   // null: deliveries stay in memory
};

// invalid_request naming KEYRELAY_REDIS_URL (never its password) when the URL is malformed. An
// unreachable Redis does not stop the start: the node serves with local limits and says so.
core::Result<NodeSharing> make_node_sharing(const config::Config& config);

// keyrelay_redis_up (1/0, checked at each scrape) and keyrelay_redis_fallback_total (checks answered
// locally because Redis was unreachable), when Redis is configured.
void register_redis_metrics(monitor::Metrics& metrics, monitor::RedisClient& redis);

}  // namespace keyrelay::cli
