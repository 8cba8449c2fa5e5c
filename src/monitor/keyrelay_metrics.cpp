#include "monitor/keyrelay_metrics.h"

#include <algorithm>
#include <iterator>

namespace keyrelay::monitor {
namespace {

double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

const std::vector<double>& decrypt_buckets() {
  static const std::vector<double> b{0.000001, 0.0000025, 0.000005, 0.00001, 0.000025, 0.00005,
                                     0.0001,   0.00025,   0.0005,   0.001,   0.01};
  return b;
}

// The hop's own cost: tens of microseconds when all is well, milliseconds when something queues.
const std::vector<double>& overhead_buckets() {
  static const std::vector<double> b{0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005,
                                     0.001,   0.0025,   0.005,   0.01,   0.025,   0.1};
  return b;
}

}  // namespace

Metrics::Metrics()
    : audit_events(registry_.counter("keyrelay_audit_events_total", "Audit events written to the store")),
      audit_write_failures(registry_.counter("keyrelay_audit_write_failures_total",
                                             "Writes of audit events that failed (the change was not made)")),
      keys(registry_.gauge("keyrelay_keys", "Stored provider keys by provider and status", {"provider", "status"})),
      cache_lookups(registry_.counter("keyrelay_key_cache_lookups_total",
                                      "Lookups of a user's key records, from memory (hit) or the store (miss)",
                                      {"result"})),
      cache_hit_ratio(registry_.gauge("keyrelay_key_cache_hit_ratio", "Share of key record lookups answered from memory")),
      open_connections(registry_.gauge("keyrelay_http_open_connections", "Client connections open now")),
      open_streams(registry_.gauge("keyrelay_http_open_streams", "Streamed responses being sent now")),
      usage_queue(registry_.gauge("keyrelay_usage_queue_depth", "Key uses waiting to be written")),
      http_requests_(registry_.counter("keyrelay_http_requests_total", "HTTP requests answered",
                                       {"route", "method", "status"})),
      http_duration_(registry_.histogram("keyrelay_http_request_duration_seconds",
                                         "Time from a request's first byte to its answer's last", {"route"})),
      upstream_requests_(registry_.counter("keyrelay_upstream_requests_total", "Calls to providers by outcome",
                                           {"provider", "outcome"})),
      upstream_errors_(registry_.counter("keyrelay_upstream_errors_total",
                                         "Provider calls that failed (transport, timeout, 429, 5xx)", {"provider"})),
      upstream_duration_(registry_.histogram("keyrelay_upstream_response_seconds",
                                             "Time until a provider's answer head (or the failure)", {"provider"})),
      fallbacks_(registry_.counter("keyrelay_fallbacks_total", "Keys the gateway moved past, by reason", {"reason"})),
      gateway_overhead_(registry_.histogram("keyrelay_gateway_overhead_seconds",
                                            "keyrelay's own time in a gateway answer (to its head, minus the "
                                            "time spent waiting for providers)",
                                            {}, overhead_buckets())),
      decrypts_(registry_.counter("keyrelay_decrypts_total", "Stored secrets opened, by result", {"result"})),
      decrypt_duration_(registry_.histogram("keyrelay_decrypt_duration_seconds", "Time to open a stored secret", {},
                                            decrypt_buckets())),
      validations_(registry_.counter("keyrelay_validations_total", "Key validations with the provider",
                                     {"provider", "result"})),
      rate_limited_(registry_.counter("keyrelay_rate_limited_total", "Requests refused by a rate limit", {"bucket"})),
      alerts_(registry_.counter("keyrelay_alerts_raised_total", "Alerts raised (new or coalesced)", {"rule"})),
      cost_usd_(registry_.mirrored_counter("keyrelay_cost_usd_total",
                                           "What priced gateway calls cost in USD, by provider (unpriced calls "
                                           "count nothing)",
                                           {"provider"})) {
  registry_.on_collect([this] {
    std::lock_guard lock(cost_mutex_);
    for (const auto& [provider, micro] : cost_micro_usd_)
      cost_usd_.with({provider}).set(static_cast<double>(micro) / 1'000'000.0);
  });
  for (const char* reason : {"transport", "timeout", "rate_limited", "out_of_credit", "invalid_key", "server_error",
                             "circuit_open", "undecryptable"})
    fallbacks_.with({reason});
  for (const char* result : {"success", "failure"}) decrypts_.with({result});
  decrypt_duration_.with(LabelValues{});
  gateway_overhead_.with(LabelValues{});
  for (const char* bucket : {"mutation", "validation", "gateway", "auth_failure"}) rate_limited_.with({bucket});
  for (const char* rule : {"key.invalid", "key.decrypt_failed", "validation.failures", "auth.failure_burst",
                           "management.burst", "key.new_client", "gateway.no_usable_key", "key.expired",
                           "provider.error_rate"})
    alerts_.with({rule});
  audit_events.with(LabelValues{});
  audit_write_failures.with(LabelValues{});
  for (const char* result : {"hit", "miss"}) cache_lookups.with({result});
  cache_hit_ratio.with(LabelValues{});
  open_connections.with(LabelValues{});
  open_streams.with(LabelValues{});
  usage_queue.with(LabelValues{});
}

void Metrics::http_request(std::string_view route, std::string_view method, int status,
                           std::chrono::nanoseconds duration) {
  static constexpr std::string_view kUnmatched = "unmatched";
  const std::string_view label = route.empty() ? kUnmatched : route;
  // A client may send any method token: only the known ones become label values.
  static constexpr std::string_view kKnown[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
  if (std::find(std::begin(kKnown), std::end(kKnown), method) == std::end(kKnown)) method = "other";
  const HttpKey key{label.data(), std::hash<std::string_view>{}(method), status};
  HttpChildren children{};
  {
    std::lock_guard lock(http_mutex_);
    auto it = http_children_.find(key);
    if (it == http_children_.end()) {
      children.requests = &http_requests_.with({label, method, std::to_string(status)});
      children.duration = &http_duration_.with({label});
      http_children_.emplace(key, children);
    } else {
      children = it->second;
    }
  }
  children.requests->inc();
  children.duration->observe(seconds(duration));
}

void Metrics::upstream_request(std::string_view provider, std::string_view outcome, std::chrono::nanoseconds latency) {
  upstream_requests_.with({provider, outcome}).inc();
  if (outcome != "ok" && outcome != "client_error") upstream_errors_.with({provider}).inc();
  upstream_duration_.with({provider}).observe(seconds(latency));
}

void Metrics::fallback(std::string_view reason) { fallbacks_.with({reason}).inc(); }

void Metrics::cost(std::string_view provider, std::int64_t micro_usd) {
  std::lock_guard lock(cost_mutex_);
  const auto it = cost_micro_usd_.find(provider);
  if (it == cost_micro_usd_.end()) cost_micro_usd_.emplace(std::string(provider), micro_usd);
  else it->second += micro_usd;
}

void Metrics::gateway_overhead(std::chrono::nanoseconds overhead) {
  gateway_overhead_.with(LabelValues{}).observe(seconds(overhead));
}

void Metrics::decrypt(bool ok, std::chrono::nanoseconds duration) {
  decrypts_.with({ok ? "success" : "failure"}).inc();
  decrypt_duration_.with(LabelValues{}).observe(seconds(duration));
}

void Metrics::validation(std::string_view provider, std::string_view result) {
  validations_.with({provider, result}).inc();
}

void Metrics::rate_limited(std::string_view bucket) { rate_limited_.with({bucket}).inc(); }

void Metrics::alert_raised(std::string_view rule) { alerts_.with({rule}).inc(); }

}  // namespace keyrelay::monitor
