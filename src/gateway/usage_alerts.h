#pragma once
// The alert rules that watch the stream of key uses (issue 5), run on the usage writer's thread so
// the request path never waits for them:
//   key.new_client        a user's keys used from an IP address or user agent not seen before
//   provider.error_rate   the share of failed requests to one provider crossed the threshold
// (provider 401/403 → key.invalid is raised where the answer is read, in the fallback loop.)

#include <functional>
#include <memory>

#include "core/clock.h"
#include "gateway/usage_recorder.h"
#include "monitor/alert_service.h"
#include "monitor/client_baseline.h"
#include "monitor/error_rate_tracker.h"

namespace keyrelay::gateway {

struct UsageAlertOptions {
  unsigned error_percent = 50;
  std::uint64_t error_min_requests = 20;
  std::chrono::milliseconds error_window{std::chrono::minutes(5)};
  std::string system_user_id;  // owner of alerts about no user (a provider's error rate)
  // Where sightings and error rates are kept; unset: this node's memory (ClientSightings,
  // ErrorRateWindow). The composition root sets the Redis versions to share them across nodes.
  std::shared_ptr<monitor::ClientBaseline> clients;
  std::shared_ptr<monitor::ErrorRateTracker> error_rates;
};

class UsageAlerts {
 public:
  UsageAlerts(monitor::AlertService& alerts, const core::Clock& clock, UsageAlertOptions options);

  // For UsageRecorder::set_observer.
  void observe(const KeyUse& use, store::TimePoint at);

 private:
  void raise(const monitor::AlertSpec& spec, const audit::Actor* caller);

  monitor::AlertService& alerts_;
  const core::Clock& clock_;
  const UsageAlertOptions options_;
  std::shared_ptr<monitor::ClientBaseline> clients_;
  std::shared_ptr<monitor::ErrorRateTracker> error_rates_;
};

}  // namespace keyrelay::gateway
