// What counting costs on the hot path: a counter increment and a histogram observation on a child
// resolved once, and the per-request HTTP accounting (child lookup by route, method and status).

#include <benchmark/benchmark.h>

#include <chrono>

#include "monitor/keyrelay_metrics.h"

namespace {

using namespace keyrelay;

void BM_CounterIncrement(benchmark::State& state) {
  monitor::MetricsRegistry registry;
  auto& counter = registry.counter("bench_total", "x", {"k"}).with({"v"});
  for (auto _ : state) counter.inc();
  benchmark::DoNotOptimize(counter.value());
}
BENCHMARK(BM_CounterIncrement);

void BM_HistogramObserve(benchmark::State& state) {
  monitor::MetricsRegistry registry;
  auto& histogram = registry.histogram("bench_seconds", "x").with(monitor::LabelValues{});
  double v = 0.0001;
  for (auto _ : state) {
    histogram.observe(v);
    v = v < 10 ? v * 1.7 : 0.0001;
  }
  benchmark::DoNotOptimize(histogram.count());
}
BENCHMARK(BM_HistogramObserve);

void BM_HttpRequestAccounting(benchmark::State& state) {
  monitor::Metrics metrics;
  static const std::string route = "/v1/chat/completions";
  for (auto _ : state) metrics.http_request(route, "POST", 200, std::chrono::microseconds(180));
}
BENCHMARK(BM_HttpRequestAccounting);

}  // namespace
