#pragma once
// keyrelay's metrics (issue 5), by name, with one method per thing that happened. Families whose
// label sets are known up front (buckets, alert rules, fallback reasons) start at zero, so a scrape
// shows them before the first event and rates work from the start.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "monitor/alert_service.h"
#include "monitor/metrics.h"

namespace keyrelay::monitor {

class Metrics {
  MetricsRegistry registry_;  // first: every family below is registered in it

 public:
  Metrics();

  MetricsRegistry& registry() noexcept { return registry_; }

  // One HTTP request answered. `route` is the matched pattern (empty: none matched) and must stay
  // valid for the process's life (the router's patterns do).
  void http_request(std::string_view route, std::string_view method, int status, std::chrono::nanoseconds duration);
  // One provider call: outcome is ok, client_error, rate_limited, server_error, timeout or
  // transport_error; `latency` until the answer's head (or the failure).
  void upstream_request(std::string_view provider, std::string_view outcome, std::chrono::nanoseconds latency);
  // The fallback loop moved past a key: transport, timeout, rate_limited, out_of_credit,
  // invalid_key, server_error, circuit_open or undecryptable.
  void fallback(std::string_view reason);
  // keyrelay's own share of one gateway answer (its time to the answer's head minus the time it
  // waited for providers): the hop's cost an operator watches in production.
  void gateway_overhead(std::chrono::nanoseconds overhead);
  void decrypt(bool ok, std::chrono::nanoseconds duration);
  void validation(std::string_view provider, std::string_view result);
  void rate_limited(std::string_view bucket);
  void alert_raised(std::string_view rule);
  // What priced gateway calls of `provider` cost (micro-USD), once they were booked. Summed as
  // integers; keyrelay_cost_usd_total{provider} shows the sum in USD.
  void cost(std::string_view provider, std::int64_t micro_usd);

  // Mirrors and gauges set by collectors at scrape time.
  CounterFamily& audit_events;          // keyrelay_audit_events_total
  CounterFamily& audit_write_failures;  // keyrelay_audit_write_failures_total
  GaugeFamily& keys;                    // keyrelay_keys{provider,status}
  CounterFamily& cache_lookups;         // keyrelay_key_cache_lookups_total{result}
  GaugeFamily& cache_hit_ratio;         // keyrelay_key_cache_hit_ratio
  GaugeFamily& open_connections;        // keyrelay_http_open_connections
  GaugeFamily& open_streams;            // keyrelay_http_open_streams
  GaugeFamily& usage_queue;             // keyrelay_usage_queue_depth

 private:
  struct HttpKey {
    const char* route;
    std::uint64_t method_hash;
    int status;
    bool operator==(const HttpKey&) const = default;
  };
  struct HttpKeyHash {
    std::size_t operator()(const HttpKey& k) const noexcept {
      return std::hash<const void*>{}(k.route) ^ (k.method_hash * 31) ^ (static_cast<std::size_t>(k.status) << 1);
    }
  };
  struct HttpChildren {
    Counter* requests;
    Histogram* duration;
  };

  CounterFamily& http_requests_;
  HistogramFamily& http_duration_;
  CounterFamily& upstream_requests_;
  CounterFamily& upstream_errors_;
  HistogramFamily& upstream_duration_;
  CounterFamily& fallbacks_;
  HistogramFamily& gateway_overhead_;
  CounterFamily& decrypts_;
  HistogramFamily& decrypt_duration_;
  CounterFamily& validations_;
  CounterFamily& rate_limited_;
  CounterFamily& alerts_;
  GaugeFamily& cost_usd_;  // keyrelay_cost_usd_total{provider}, mirrored from cost_micro_usd_

  std::mutex cost_mutex_;
  std::map<std::string, std::int64_t, std::less<>> cost_micro_usd_;

  std::mutex http_mutex_;
  std::unordered_map<HttpKey, HttpChildren, HttpKeyHash> http_children_;  // the per-request lookup
};

// Counts every raised alert by rule.
class AlertCounter final : public AlertListener {
 public:
  explicit AlertCounter(Metrics& metrics) : metrics_(metrics) {}
  void alert_raised(const store::AlertRecord& alert) noexcept override { metrics_.alert_raised(alert.rule); }

 private:
  Metrics& metrics_;
};

}  // namespace keyrelay::monitor
