#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/periodic_task.h"

namespace keyrelay::core {
namespace {

using namespace std::chrono_literals;

TEST(PeriodicTask, RunsAfterTheFirstDelayThenEveryIntervalUntilStopped) {
  std::atomic<int> runs{0};
  PeriodicTask task([&] { ++runs; }, 20ms, 0ms);
  task.start();
  for (int i = 0; i < 200 && runs.load() < 3; ++i) std::this_thread::sleep_for(5ms);
  task.stop();
  const int after_stop = runs.load();
  EXPECT_GE(after_stop, 3);
  std::this_thread::sleep_for(60ms);
  EXPECT_EQ(runs.load(), after_stop) << "no run after stop()";
}

TEST(PeriodicTask, StopDuringTheFirstDelayRunsNothing) {
  std::atomic<int> runs{0};
  PeriodicTask task([&] { ++runs; }, 10ms, 10s);
  task.start();
  const auto started = std::chrono::steady_clock::now();
  task.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s) << "stop() waits for nothing";
  EXPECT_EQ(runs.load(), 0);
}

}  // namespace
}  // namespace keyrelay::core
