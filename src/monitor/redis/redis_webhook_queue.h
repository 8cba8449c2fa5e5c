#pragma once
// The webhook delivery queue in Redis, shared by every node:
//   <prefix>webhooks:due          sorted set: delivery id → when it is due (ms of Redis's clock);
//                                 a claim moves it a lease into the future (visibility timeout)
//   <prefix>webhooks:d:<id>       hash: the delivery's record, its body and the current lease
//   <prefix>webhooks:recent       sorted set: id → created (ms), the newest `capacity` for listing
// Claim, finish and add are one script each, so two nodes never claim the same due delivery. A
// finished delivery's hash expires after `keep`; pending ones stay until finished. Thread-safe.

#include <chrono>

#include "monitor/redis/redis_client.h"
#include "monitor/redis/redis_script.h"
#include "monitor/webhook_queue.h"

namespace keyrelay::monitor {

struct RedisWebhookQueueOptions {
  std::size_t capacity = 1000;                          // deliveries listed
  std::chrono::milliseconds keep{std::chrono::hours(24 * 7)};  // a finished delivery's record
};

class RedisWebhookQueue final : public WebhookQueue {
 public:
  explicit RedisWebhookQueue(RedisClient& redis, RedisWebhookQueueOptions options = {});

  core::Result<void> add(const WebhookDelivery& delivery, std::string_view body) override;
  core::Result<std::optional<ClaimedDelivery>> claim(std::chrono::milliseconds lease) override;
  core::Result<bool> finish(const ClaimedDelivery& claimed, const DeliveryOutcome& outcome) override;
  core::Result<std::vector<WebhookDelivery>> recent(std::size_t limit) override;
  core::Result<std::size_t> pending() override;

 private:
  RedisClient& redis_;
  const RedisWebhookQueueOptions options_;
  const std::string due_, recent_, record_prefix_;
  const RedisScript add_script_, claim_script_, finish_script_, recent_script_;
};

}  // namespace keyrelay::monitor
