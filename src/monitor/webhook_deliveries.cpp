#include "monitor/webhook_deliveries.h"

#include <algorithm>

namespace keyrelay::monitor {

std::string_view delivery_state_name(DeliveryState state) noexcept {
  switch (state) {
    case DeliveryState::pending: return "pending";
    case DeliveryState::delivered: return "delivered";
    case DeliveryState::failed: return "failed";
  }
  return "unknown";
}

std::chrono::milliseconds webhook_backoff(unsigned attempt, std::chrono::milliseconds base,
                                          std::chrono::milliseconds cap) {
  const unsigned doublings = std::min(attempt == 0 ? 0u : attempt - 1, 30u);
  const auto pause = base * (std::int64_t{1} << doublings);
  return std::min(pause, cap);
}

void WebhookDeliveryLog::add(WebhookDelivery delivery) {
  std::lock_guard lock(mutex_);
  entries_.push_back(std::move(delivery));
  // Drop the oldest finished ones first; pending ones only when nothing else is left to drop.
  while (entries_.size() > capacity_) {
    auto finished = std::find_if(entries_.begin(), entries_.end(),
                                 [](const WebhookDelivery& d) { return d.state != DeliveryState::pending; });
    entries_.erase(finished != entries_.end() ? finished : entries_.begin());
  }
}

void WebhookDeliveryLog::update(const std::string& id, const std::function<void(WebhookDelivery&)>& change) {
  std::lock_guard lock(mutex_);
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->id == id) {
      change(*it);
      return;
    }
  }
}

std::vector<WebhookDelivery> WebhookDeliveryLog::recent(std::size_t limit) const {
  std::lock_guard lock(mutex_);
  std::vector<WebhookDelivery> out;
  for (auto it = entries_.rbegin(); it != entries_.rend() && out.size() < limit; ++it) out.push_back(*it);
  return out;
}

std::size_t WebhookDeliveryLog::pending() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(entries_.begin(), entries_.end(),
                                                [](const WebhookDelivery& d) { return d.state == DeliveryState::pending; }));
}

}  // namespace keyrelay::monitor
