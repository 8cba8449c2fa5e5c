#include "cli/node_sharing.h"

#include "logging/log.h"
#include "monitor/local_rate_limiter.h"
#include "monitor/redis/redis_address_blocklist.h"
#include "monitor/redis/redis_burst_detector.h"
#include "monitor/redis/redis_client_sightings.h"
#include "monitor/redis/redis_error_rate_window.h"
#include "monitor/redis/redis_rate_limiter.h"
#include "monitor/redis/redis_webhook_queue.h"

namespace keyrelay::cli {

core::Result<NodeSharing> make_node_sharing(const config::Config& config) {
  NodeSharing s;
  if (config.redis.url.empty()) {
    s.limiter = std::make_unique<monitor::LocalRateLimiter>();
    s.protection = api::local_protection_windows(config.alerts);
    return s;
  }
  auto endpoint = monitor::parse_redis_url(config.redis.url);
  if (!endpoint) return endpoint.error();
  monitor::RedisClientOptions options;
  options.timeouts.connect = config.redis.timeout;
  options.timeouts.command = config.redis.timeout;
  options.tls = {config.redis.ca_file, config.redis.cert_file, config.redis.key_file};
  s.redis = std::make_unique<monitor::RedisClient>(std::move(*endpoint), options);
  if (auto up = s.redis->check(); !up)
    logging::warn("redis unreachable at start: limits are this node's until it answers", {{"error", up.error().message}});
  else
    logging::info("redis: limits, lockouts, alert windows and the webhook queue are shared",
                  {{"redis", s.redis->endpoint().display()}});
  monitor::RedisClient& redis = *s.redis;
  const auto& alerts = config.alerts;
  s.limiter = std::make_unique<monitor::RedisRateLimiter>(redis);
  s.protection.blocked = std::make_unique<monitor::RedisAddressBlocklist>(redis);
  s.protection.management_bursts = std::make_unique<monitor::RedisBurstDetector>(
      redis, "management", alerts.management_burst.count, alerts.management_burst.period);
  s.protection.validation_failures = std::make_unique<monitor::RedisBurstDetector>(
      redis, "validation_failures", alerts.validation_failures.count, alerts.validation_failures.period);
  s.clients = std::make_shared<monitor::RedisClientSightings>(redis);
  s.error_rates = std::make_shared<monitor::RedisErrorRateWindow>(redis, alerts.upstream_error_percent,
                                                                  alerts.upstream_error_min_requests,
                                                                  alerts.upstream_error_window);
  s.webhook_queue = std::make_unique<monitor::RedisWebhookQueue>(redis);
  return s;
}

void register_redis_metrics(monitor::Metrics& metrics, monitor::RedisClient& redis) {
  auto& registry = metrics.registry();
  auto& up = registry.gauge("keyrelay_redis_up", "1 when Redis answered the last check, 0 while limits are local");
  auto& fallbacks = registry.counter("keyrelay_redis_fallback_total",
                                     "Checks answered from this node's memory because Redis was unreachable");
  up.with(monitor::LabelValues{}).set(1);
  fallbacks.with(monitor::LabelValues{});
  // Scrapes run on the worker pool: a PING there keeps the gauge true without traffic.
  registry.on_collect([&up, &fallbacks, &redis] {
    const bool answered = static_cast<bool>(redis.check());
    up.with(monitor::LabelValues{}).set(answered ? 1 : 0);
    fallbacks.with(monitor::LabelValues{}).mirror(redis.fallbacks());
  });
}

}  // namespace keyrelay::cli
