// The registry and its Prometheus text exposition.

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "monitor/metrics.h"

namespace keyrelay::monitor {
namespace {

TEST(Metrics, CountersAndGaugesRenderWithHelpTypeAndLabels) {
  MetricsRegistry registry;
  auto& requests = registry.counter("demo_requests_total", "Requests served", {"route", "status"});
  requests.with({"/api/v1/keys", "200"}).inc(3);
  requests.with({"/api/v1/keys", "404"}).inc();
  registry.gauge("demo_open", "Open things").with(LabelValues{}).set(2.5);
  EXPECT_EQ(registry.render(),
            "# HELP demo_requests_total Requests served\n"
            "# TYPE demo_requests_total counter\n"
            "demo_requests_total{route=\"/api/v1/keys\",status=\"200\"} 3\n"
            "demo_requests_total{route=\"/api/v1/keys\",status=\"404\"} 1\n"
            "# HELP demo_open Open things\n"
            "# TYPE demo_open gauge\n"
            "demo_open 2.5\n");
}

TEST(Metrics, LabelValuesAreEscaped) {
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  MetricsRegistry registry;
  registry.counter("odd_total", "x", {"v"}).with({"say \"hi\""}).inc();
  EXPECT_NE(registry.render().find("odd_total{v=\"say \\\"hi\\\"\"} 1"), std::string::npos);
}

TEST(Metrics, HistogramBucketsAreCumulativeWithInfEqualToCount) {
  MetricsRegistry registry;
  auto& h = registry.histogram("demo_seconds", "Durations", {}, {0.1, 1, 10}).with(LabelValues{});
  for (double v : {0.05, 0.1, 0.5, 2.0, 20.0}) h.observe(v);
  const std::string text = registry.render();
  EXPECT_NE(text.find("demo_seconds_bucket{le=\"0.1\"} 2\n"), std::string::npos) << text << "(le is inclusive)";
  EXPECT_NE(text.find("demo_seconds_bucket{le=\"1\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("demo_seconds_bucket{le=\"10\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("demo_seconds_bucket{le=\"+Inf\"} 5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("demo_seconds_sum 22.65\n"), std::string::npos) << text;
  EXPECT_NE(text.find("demo_seconds_count 5\n"), std::string::npos) << text;
}

TEST(Metrics, CollectorsRunBeforeEachRender) {
  MetricsRegistry registry;
  auto& g = registry.gauge("demo_level", "x");
  int calls = 0;
  registry.on_collect([&] { g.with(LabelValues{}).set(++calls); });
  EXPECT_NE(registry.render().find("demo_level 1\n"), std::string::npos);
  EXPECT_NE(registry.render().find("demo_level 2\n"), std::string::npos);
}

TEST(Metrics, ConcurrentIncrementsAreAllCounted) {
  MetricsRegistry registry;
  auto& family = registry.counter("demo_total", "x", {"k"});
  auto& hist = registry.histogram("demo_h_seconds", "x").with(LabelValues{});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      auto& mine = family.with({t % 2 == 0 ? "even" : "odd"});
      for (int i = 0; i < 100'000; ++i) {
        mine.inc();
        hist.observe(0.001);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(family.with({"even"}).value() + family.with({"odd"}).value(), 400'000u);
  EXPECT_EQ(hist.count(), 400'000u);
}

TEST(Metrics, MirroredCounterIsTypedCounter) {
  MetricsRegistry registry;
  registry.mirrored_counter("process_cpu_seconds_total", "CPU").with(LabelValues{}).set(1.25);
  EXPECT_NE(registry.render().find("# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1.25\n"),
            std::string::npos);
}

}  // namespace
}  // namespace keyrelay::monitor
