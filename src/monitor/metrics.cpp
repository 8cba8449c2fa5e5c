#include "monitor/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace keyrelay::monitor {
namespace {

// Prometheus floats: integers without a fraction, others shortest round-trip, "+Inf"/"NaN".
std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, end) : "NaN";
}

std::string labels_text(const std::vector<std::string>& names, const LabelValues& values,
                        std::string_view extra_name = {}, std::string_view extra_value = {}) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += out.empty() ? "{" : ",";
    out += names[i] + "=\"" + escape_label_value(values[i]) + "\"";
  }
  if (!extra_name.empty()) {
    out += out.empty() ? "{" : ",";
    out += std::string(extra_name) + "=\"" + std::string(extra_value) + "\"";
  }
  if (!out.empty()) out += "}";
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  for (const char c : help) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

template <class F>
void header(std::string& out, const F& family, std::string_view type) {
  out += "# HELP " + family.name() + " " + escape_help(family.help()) + "\n";
  out += "# TYPE " + family.name() + " " + std::string(type) + "\n";
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

const std::vector<double>& latency_buckets() {
  static const std::vector<double> buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                           0.1,    0.25,  0.5,    1,     2.5,  5,     10, 30};
  return buckets;
}

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds.size())) {
  for (std::size_t i = 0; i < bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double v) noexcept {
  const auto at = std::lower_bound(bounds_.begin(), bounds_.end(), v);  // first bound >= v: le is inclusive
  if (at != bounds_.end()) buckets_[static_cast<std::size_t>(at - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::cumulative() const {
  std::vector<std::uint64_t> out(bounds_.size());
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

template <class Metric>
Metric& Family<Metric>::with(const LabelValues& values) {
  std::lock_guard lock(mutex_);
  auto it = children_.find(values);
  if (it != children_.end()) return *it->second;
  std::unique_ptr<Metric> child;
  if constexpr (std::is_same_v<Metric, Histogram>) child = std::make_unique<Histogram>(bounds_);
  else child = std::make_unique<Metric>();
  return *children_.emplace(values, std::move(child)).first->second;
}

template <class Metric>
void Family<Metric>::each(const std::function<void(const LabelValues&, const Metric&)>& visit) const {
  std::lock_guard lock(mutex_);
  for (const auto& [values, child] : children_) visit(values, *child);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

CounterFamily& MetricsRegistry::counter(std::string name, std::string help, std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  counters_.push_back(std::make_unique<CounterFamily>(std::move(name), std::move(help), std::move(label_names)));
  order_.push_back({Entry::Type::counter, counters_.back().get()});
  return *counters_.back();
}

GaugeFamily& MetricsRegistry::gauge(std::string name, std::string help, std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  gauges_.push_back(std::make_unique<GaugeFamily>(std::move(name), std::move(help), std::move(label_names)));
  order_.push_back({Entry::Type::gauge, gauges_.back().get()});
  return *gauges_.back();
}

HistogramFamily& MetricsRegistry::histogram(std::string name, std::string help, std::vector<std::string> label_names,
                                            std::vector<double> bounds) {
  std::lock_guard lock(mutex_);
  histograms_.push_back(
      std::make_unique<HistogramFamily>(std::move(name), std::move(help), std::move(label_names), std::move(bounds)));
  order_.push_back({Entry::Type::histogram, histograms_.back().get()});
  return *histograms_.back();
}

GaugeFamily& MetricsRegistry::mirrored_counter(std::string name, std::string help, std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  gauges_.push_back(std::make_unique<GaugeFamily>(std::move(name), std::move(help), std::move(label_names)));
  order_.push_back({Entry::Type::mirrored_counter, gauges_.back().get()});
  return *gauges_.back();
}

void MetricsRegistry::on_collect(std::function<void()> collect) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collect));
}

std::string MetricsRegistry::render() const {
  std::vector<std::function<void()>> collectors;
  std::vector<Entry> order;
  {
    std::lock_guard lock(mutex_);
    collectors = collectors_;
    order = order_;
  }
  for (const auto& collect : collectors) collect();

  std::string out;
  for (const auto& entry : order) {
    switch (entry.type) {
      case Entry::Type::counter: {
        const auto& f = *static_cast<const CounterFamily*>(entry.family);
        header(out, f, "counter");
        f.each([&](const LabelValues& v, const Counter& c) {
          out += f.name() + labels_text(f.label_names(), v) + " " + std::to_string(c.value()) + "\n";
        });
        break;
      }
      case Entry::Type::gauge:
      case Entry::Type::mirrored_counter: {
        const auto& f = *static_cast<const GaugeFamily*>(entry.family);
        header(out, f, entry.type == Entry::Type::gauge ? "gauge" : "counter");
        f.each([&](const LabelValues& v, const Gauge& g) {
          out += f.name() + labels_text(f.label_names(), v) + " " + number(g.value()) + "\n";
        });
        break;
      }
      case Entry::Type::histogram: {
        const auto& f = *static_cast<const HistogramFamily*>(entry.family);
        header(out, f, "histogram");
        f.each([&](const LabelValues& v, const Histogram& h) {
          // Read the count first: buckets observed after it can only make them larger, never smaller
          // than +Inf, and the format wants +Inf == _count.
          const auto counts = h.cumulative();
          const auto total = std::max(h.count(), counts.empty() ? 0 : counts.back());
          for (std::size_t i = 0; i < counts.size(); ++i)
            out += f.name() + "_bucket" + labels_text(f.label_names(), v, "le", number(h.bounds()[i])) + " " +
                   std::to_string(std::min(counts[i], total)) + "\n";
          out += f.name() + "_bucket" + labels_text(f.label_names(), v, "le", "+Inf") + " " + std::to_string(total) + "\n";
          out += f.name() + "_sum" + labels_text(f.label_names(), v) + " " + number(h.sum()) + "\n";
          out += f.name() + "_count" + labels_text(f.label_names(), v) + " " + std::to_string(total) + "\n";
        });
        break;
      }
    }
  }
  return out;
}

}  // namespace keyrelay::monitor
