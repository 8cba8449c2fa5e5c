#pragma once
// Webhook delivery of alerts (issue 5; API.md): every alert the AlertService stores is POSTed as JSON
// to each operator-configured URL — `alert.raised` when new, `alert.updated` for a repeat coalesced
// into the open alert, `alert.resolved` when it is resolved — signed (monitor/webhook_signature.h),
// and retried with exponential back-off until the receiver answers 2xx or the attempts run out.
//
// Deliveries run on the server's I/O threads through their own UpstreamClient (short timeouts,
// a pool apart from the providers'), started from alert_raised() without waiting, so a receiver
// that is down or slow never holds up a request or the thread that raised the alert.
//
// Single node: each delivery is a coroutine with its own retry timer, its state in memory. With a
// shared queue (Redis, several nodes): alert_raised() queues the deliveries, and a pump thread on
// every node claims the due ones with a lease and runs one attempt each; the outcome goes back to
// the queue (due again after the back-off, or finished). A delivery whose node died is claimed by
// another node when its lease runs out. Queue unreachable: the delivery runs in memory as on one
// node. The deliveries list merges both.

#include <chrono>
#include <memory>
#include <thread>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "core/clock.h"
#include "core/secret.h"
#include "gateway/upstream_client.h"
#include "monitor/alert_service.h"
#include "monitor/webhook_deliveries.h"
#include "monitor/webhook_queue.h"

namespace keyrelay::api {

struct WebhookOptions {
  std::vector<std::string> urls;
  core::Secret secret;
  unsigned max_attempts = 8;
  std::chrono::milliseconds backoff_base{1000};  // pauses: 1 s, 2 s, 4 s, … (capped at 10 min)
  std::size_t max_pending = 1000;                // beyond: new deliveries are dropped and logged
  // With a shared queue: how long a claimed attempt may take before another node may take it over
  // (above the client's 3 s connect + 10 s first byte), and how often the pump looks for due ones.
  std::chrono::milliseconds lease{30'000};
  std::chrono::milliseconds poll_interval{1'000};
};

// "https://hooks.example.com" of a receiver URL: what logs and the deliveries list show, since the
// rest of a webhook URL is often a credential (Slack, Teams).
std::string url_origin(std::string_view url);

class AlertWebhooks final : public monitor::AlertListener {
 public:
  // `queue`, when given, is shared with the other nodes and must outlive this object.
  AlertWebhooks(boost::asio::any_io_executor executor, std::unique_ptr<gateway::UpstreamClient> client,
                WebhookOptions options, const core::Clock& clock, monitor::WebhookQueue* queue = nullptr);
  ~AlertWebhooks() override;

  // monitor::AlertListener
  void alert_raised(const store::AlertRecord& alert) noexcept override;
  void alert_resolved(const store::AlertRecord& alert) noexcept override;

  // Newest first, for GET /api/v1/alerts/deliveries.
  std::vector<monitor::WebhookDelivery> recent(std::size_t limit) const;

  struct State;  // shared with deliveries in flight (defined in the .cpp)

 private:
  // Starts one delivery of `alert` as `event` per receiver.
  void send(const store::AlertRecord& alert, std::string_view event) noexcept;

  std::shared_ptr<State> state_;
  std::thread pump_;  // with a shared queue: claims due deliveries
};

}  // namespace keyrelay::api
