#pragma once
// A webhook delivery queue that several nodes share (issue 13 item 6): a delivery is claimed for
// one attempt with a lease; when the node that claimed it dies, the lease runs out and another
// node's claim takes it over, so a delivery pending when a node dies is still delivered. The
// single node keeps its in-memory WebhookDeliveryLog instead (api/alert_webhooks). Thread-safe.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "monitor/webhook_deliveries.h"

namespace keyrelay::monitor {

// A delivery claimed for one attempt.
struct ClaimedDelivery {
  WebhookDelivery delivery;  // `attempts` already counts this attempt
  std::string body;          // the signed payload's JSON (signed afresh per attempt)
  std::string lease;         // proves the claim when the outcome is recorded
};

// What one attempt came to.
struct DeliveryOutcome {
  DeliveryState state = DeliveryState::pending;  // pending: try again after `retry_in`
  std::optional<int> status;                     // the receiver's HTTP status
  std::string error;                             // a transport error
  std::chrono::milliseconds retry_in{0};
};

class WebhookQueue {
 public:
  virtual ~WebhookQueue() = default;

  // Queues `delivery` (pending, due now) with its `body`.
  virtual core::Result<void> add(const WebhookDelivery& delivery, std::string_view body) = 0;
  // The next due delivery, claimed for `lease`; nullopt when none is due.
  virtual core::Result<std::optional<ClaimedDelivery>> claim(std::chrono::milliseconds lease) = 0;
  // Records an attempt's outcome: a pending one is due again after `retry_in`, a finished one
  // leaves the queue. false when the lease was lost (it ran out and another consumer claimed it).
  virtual core::Result<bool> finish(const ClaimedDelivery& claimed, const DeliveryOutcome& outcome) = 0;
  // Newest first.
  virtual core::Result<std::vector<WebhookDelivery>> recent(std::size_t limit) = 0;
  // Deliveries not finished yet.
  virtual core::Result<std::size_t> pending() = 0;
};

}  // namespace keyrelay::monitor
