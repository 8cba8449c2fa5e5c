#pragma once
// The state of webhook deliveries (issue 5: "retried with exponential back-off, delivery state
// kept"): one entry per (alert raise, URL), pending until delivered or given up. Kept in memory —
// the alert itself is in the store; a delivery still pending at shutdown is lost with the log line
// that says so. Bounded: the oldest finished entries go first. Thread-safe.

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace keyrelay::monitor {

enum class DeliveryState { pending, delivered, failed };
std::string_view delivery_state_name(DeliveryState state) noexcept;

struct WebhookDelivery {
  std::string id;
  std::string alert_id;
  std::string event;  // alert.raised, alert.updated or alert.resolved
  std::string rule;
  std::string url;
  DeliveryState state = DeliveryState::pending;
  unsigned attempts = 0;
  std::optional<int> last_status;  // the receiver's HTTP status on the last attempt
  std::string last_error;          // a transport error on the last attempt
  std::chrono::system_clock::time_point created_at{};
  std::optional<std::chrono::system_clock::time_point> next_attempt_at;
  std::optional<std::chrono::system_clock::time_point> finished_at;
};

// The pause before attempt `attempt` + 1: base, 2·base, 4·base, … capped at `cap`.
std::chrono::milliseconds webhook_backoff(unsigned attempt, std::chrono::milliseconds base,
                                          std::chrono::milliseconds cap = std::chrono::minutes(10));

class WebhookDeliveryLog {
 public:
  explicit WebhookDeliveryLog(std::size_t capacity = 1000) : capacity_(capacity) {}

  void add(WebhookDelivery delivery);
  // Applies `change` to the delivery `id` (if still kept).
  void update(const std::string& id, const std::function<void(WebhookDelivery&)>& change);
  // Newest first.
  std::vector<WebhookDelivery> recent(std::size_t limit) const;
  std::size_t pending() const;

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<WebhookDelivery> entries_;  // oldest first
};

}  // namespace keyrelay::monitor
