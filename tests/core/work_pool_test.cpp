#include "core/work_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace keyrelay::core {
namespace {

TEST(WorkPool, RunsEveryIndexExactlyOnce) {
  WorkPool pool(3);
  EXPECT_EQ(pool.size(), 3u);
  std::vector<std::atomic<int>> runs(1000);
  pool.for_each_index(runs.size(), [&](std::size_t i) { runs[i].fetch_add(1); });
  for (std::size_t i = 0; i < runs.size(); ++i) EXPECT_EQ(runs[i].load(), 1) << i;
}

TEST(WorkPool, SpreadsTheWorkOverItsThreadsAndTheCaller) {
  WorkPool pool(2);
  const auto caller = std::this_thread::get_id();
  std::atomic<bool> ran_on_caller{false};
  std::atomic<bool> ran_elsewhere{false};
  std::atomic<bool> caller_waited{false};
  std::atomic<bool> worker_waited{false};
  // Each side's first iteration waits (up to 10 s) until the other side ran one: whichever thread
  // claims the first chunk, the other one still finds chunks left (a worker that woke first used
  // to take all 1,000 before a descheduled caller claimed any).
  const auto wait_for = [](const std::atomic<bool>& other) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!other && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
  };
  pool.for_each_index(1000, [&](std::size_t) {
    if (std::this_thread::get_id() == caller) {
      ran_on_caller = true;
      if (!caller_waited.exchange(true)) wait_for(ran_elsewhere);
    } else {
      ran_elsewhere = true;
      if (!worker_waited.exchange(true)) wait_for(ran_on_caller);
    }
  });
  EXPECT_TRUE(ran_elsewhere) << "no iteration ran on the pool's thread";
  EXPECT_TRUE(ran_on_caller) << "no iteration ran on the caller";
}

TEST(WorkPool, ManyLoopsInARowEachSeeOnlyTheirOwnWork) {
  WorkPool pool(4);
  std::atomic<std::size_t> sum{0};
  for (std::size_t loop = 0; loop < 2000; ++loop) {
    const std::size_t n = loop % 37;  // 0 included
    std::atomic<std::size_t> count{0};
    pool.for_each_index(n, [&](std::size_t i) {
      count.fetch_add(1);
      sum.fetch_add(i);
    });
    ASSERT_EQ(count.load(), n) << "loop " << loop;
  }
  std::size_t expected = 0;
  for (std::size_t loop = 0; loop < 2000; ++loop) expected += (loop % 37) * (loop % 37 - (loop % 37 ? 1 : 0)) / 2;
  EXPECT_EQ(sum.load(), expected);
}

TEST(WorkPool, OneThreadRunsOnTheCallerAndZeroMeansOnePerCore) {
  WorkPool single(1);
  EXPECT_EQ(single.size(), 1u);
  const auto caller = std::this_thread::get_id();
  bool elsewhere = false;
  single.for_each_index(50, [&](std::size_t) { elsewhere |= std::this_thread::get_id() != caller; });
  EXPECT_FALSE(elsewhere);
  WorkPool per_core(0);
  EXPECT_EQ(per_core.size(), std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace
}  // namespace keyrelay::core
