#include "monitor/concurrency_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace keyrelay::monitor {
namespace {

TEST(ConcurrencyLimiter, RefusesTheRequestOverTheCapUntilAPlaceIsFree) {
  ConcurrencyLimiter limiter(2);
  auto a = limiter.try_acquire("alice");
  auto b = limiter.try_acquire("alice");
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(limiter.try_acquire("alice"));
  EXPECT_TRUE(limiter.try_acquire("bob")) << "another user has places of their own";
  a->release();
  EXPECT_EQ(limiter.in_flight("alice"), 1u);
  auto c = limiter.try_acquire("alice");
  EXPECT_TRUE(c);
}

TEST(ConcurrencyLimiter, APermitGivesItsPlaceBackOnceWhereverItMoves) {
  ConcurrencyLimiter limiter(1);
  {
    auto taken = limiter.try_acquire("alice");
    ASSERT_TRUE(taken);
    Permit moved = std::move(*taken);
    Permit again;
    again = std::move(moved);
    EXPECT_EQ(limiter.in_flight("alice"), 1u);
  }
  EXPECT_EQ(limiter.in_flight("alice"), 0u);
  EXPECT_TRUE(limiter.try_acquire("alice"));
}

TEST(ConcurrencyLimiter, ZeroMeansNoLimit) {
  ConcurrencyLimiter limiter(0);
  std::vector<Permit> held;
  for (int i = 0; i < 1000; ++i) {
    auto p = limiter.try_acquire("alice");
    ASSERT_TRUE(p);
    held.push_back(std::move(*p));
  }
  EXPECT_EQ(limiter.in_flight("alice"), 0u);
}

TEST(ConcurrencyLimiter, NeverExceedsTheCapUnderContention) {
  ConcurrencyLimiter limiter(3);
  std::atomic<int> inside{0};
  std::atomic<int> worst{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        auto p = limiter.try_acquire("alice");
        if (!p) continue;
        const int now = ++inside;
        int seen = worst.load();
        while (now > seen && !worst.compare_exchange_weak(seen, now)) {
        }
        --inside;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_LE(worst.load(), 3);
  EXPECT_EQ(limiter.in_flight("alice"), 0u);
}

}  // namespace
}  // namespace keyrelay::monitor
