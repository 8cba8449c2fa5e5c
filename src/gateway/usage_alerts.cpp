#include "gateway/usage_alerts.h"

#include "logging/log.h"
#include "monitor/client_sightings.h"
#include "monitor/error_rate_window.h"

namespace keyrelay::gateway {

UsageAlerts::UsageAlerts(monitor::AlertService& alerts, const core::Clock& clock, UsageAlertOptions options)
    : alerts_(alerts),
      clock_(clock),
      options_(std::move(options)),
      clients_(options_.clients ? options_.clients : std::make_shared<monitor::ClientSightings>()),
      error_rates_(options_.error_rates ? options_.error_rates
                                        : std::make_shared<monitor::ErrorRateWindow>(
                                              options_.error_percent, options_.error_min_requests, options_.error_window)) {}

void UsageAlerts::raise(const monitor::AlertSpec& spec, const audit::Actor* caller) {
  if (auto raised = alerts_.raise(spec, caller); !raised)
    logging::error("could not raise an alert", {{"rule", spec.rule}, {"error", raised.error().message}});
}

void UsageAlerts::observe(const KeyUse& use, store::TimePoint) {
  const audit::Actor& caller = use.caller;
  const std::string ip = caller.ip.value_or("");
  const std::string agent = caller.user_agent.value_or("");
  if (!caller.user_id.empty() && clients_->is_new(caller.user_id, ip, agent)) {
    monitor::AlertSpec alert;
    alert.rule = "key.new_client";
    alert.severity = store::AlertSeverity::info;
    alert.user_id = caller.user_id;
    alert.key_id = use.key_id;
    alert.provider = use.provider;
    alert.message = "your " + use.provider + " key was used from a new client: address " +
                    (ip.empty() ? std::string("unknown") : ip) + ", user agent '" + agent.substr(0, 80) +
                    "'. If that was not you or your app, revoke your tokens and rotate the key";
    raise(alert, &caller);
  }
  if (auto rate = error_rates_->record(use.provider, use.error, clock_.steady_now())) {
    monitor::AlertSpec alert;
    alert.rule = "provider.error_rate";
    alert.severity = store::AlertSeverity::warning;
    alert.user_id = options_.system_user_id;
    alert.provider = use.provider;
    alert.message = std::to_string(rate->percent()) + "% of " + std::to_string(rate->requests) + " requests to " +
                    use.provider + " failed within " +
                    std::to_string(std::chrono::duration_cast<std::chrono::seconds>(options_.error_window).count()) +
                    " s";
    raise(alert, nullptr);
  }
}

}  // namespace keyrelay::gateway
