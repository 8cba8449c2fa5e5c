#pragma once
// A small Prometheus metrics registry (issue 5): counters, gauges and histograms, each a family of
// children told apart by label values, rendered in the text exposition format 0.0.4.
//
// The hot path touches one child: an atomic add (a few ns, no lock, no allocation). Finding a
// child by its label values takes a lock and a map lookup, so callers resolve the children they
// use often once and keep the reference (children live as long as the registry and never move).
// Label values must come from small, fixed sets (route patterns, providers, statuses) — never ids,
// never anything a client chooses, never a secret.

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace keyrelay::monitor {

using LabelValues = std::vector<std::string>;

class Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  // For a counter mirrored from another component's own count at collection time.
  void mirror(std::uint64_t total) noexcept { value_.store(total, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void add(double d) noexcept { value_.fetch_add(d, std::memory_order_relaxed); }
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(const std::vector<double>& bounds);
  void observe(double v) noexcept;
  // Cumulative counts per bound (then +Inf = count()), as the exposition wants them.
  std::vector<std::uint64_t> cumulative() const;
  std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
  double sum() const noexcept { return sum_.load(std::memory_order_relaxed); }
  const std::vector<double>& bounds() const noexcept { return bounds_; }

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // per bound, not cumulative
  std::atomic<std::uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Buckets for request latencies in seconds: 0.5 ms … 30 s.
const std::vector<double>& latency_buckets();

template <class Metric>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names, std::vector<double> bounds = {})
      : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)), bounds_(std::move(bounds)) {}

  // The child for `values` (one per label name), created at first use.
  Metric& with(const LabelValues& values);
  Metric& with(std::initializer_list<std::string_view> values) { return with(LabelValues(values.begin(), values.end())); }

  const std::string& name() const noexcept { return name_; }
  const std::string& help() const noexcept { return help_; }
  const std::vector<std::string>& label_names() const noexcept { return label_names_; }
  // Calls `visit(values, child)` for every child, in label order.
  void each(const std::function<void(const LabelValues&, const Metric&)>& visit) const;

 private:
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const std::vector<double> bounds_;  // histograms only
  mutable std::mutex mutex_;
  std::map<LabelValues, std::unique_ptr<Metric>> children_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class MetricsRegistry {
 public:
  CounterFamily& counter(std::string name, std::string help, std::vector<std::string> label_names = {});
  GaugeFamily& gauge(std::string name, std::string help, std::vector<std::string> label_names = {});
  HistogramFamily& histogram(std::string name, std::string help, std::vector<std::string> label_names = {},
                             std::vector<double> bounds = latency_buckets());
  // A counter whose value is read from elsewhere at collection time and may have a fraction
  // (process_cpu_seconds_total): kept as a gauge, exposed with TYPE counter.
  GaugeFamily& mirrored_counter(std::string name, std::string help, std::vector<std::string> label_names = {});

  // Runs before every render, to set gauges that are read rather than tracked (process figures,
  // key counts, open connections).
  void on_collect(std::function<void()> collect);

  // The whole registry in the Prometheus text format, families in registration order.
  std::string render() const;

 private:
  struct Entry {
    enum class Type { counter, gauge, mirrored_counter, histogram } type;
    void* family;
  };
  mutable std::mutex mutex_;
  std::vector<Entry> order_;
  std::vector<std::unique_ptr<CounterFamily>> counters_;
  std::vector<std::unique_ptr<GaugeFamily>> gauges_;
  std::vector<std::unique_ptr<HistogramFamily>> histograms_;
  std::vector<std::function<void()>> collectors_;
};

// "a\"b" for a label value: backslash, double quote and newline escaped.
std::string escape_label_value(std::string_view value);

}  // namespace keyrelay::monitor
