// GCRA as the limits of API.md read: "10 per minute" is a burst of 10, then one every 6 s.

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "monitor/gcra.h"
#include "monitor/local_rate_limiter.h"

namespace keyrelay::monitor {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

constexpr RateLimit kTenPerMinute{10, 60'000ms};

TEST(Gcra, AllowsTheWholeCountAtOnceThenRefusesTheNext) {
  GcraState state;
  const std::int64_t t0 = 1'000'000'000;
  for (std::uint32_t i = 0; i < 10; ++i) {
    const auto d = gcra_acquire(state, kTenPerMinute, t0);
    ASSERT_TRUE(d.allowed) << "request " << i + 1;
    EXPECT_EQ(d.limit, 10u);
    EXPECT_EQ(d.remaining, 9 - i);
  }
  const auto refused = gcra_acquire(state, kTenPerMinute, t0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0u);
  EXPECT_EQ(refused.retry_after, 6'000ms) << "one unit comes back every 60 s / 10";
  EXPECT_EQ(refused.reset, 60'000ms);
}

TEST(Gcra, RefusalSpendsNothingAndTheBucketRefills) {
  GcraState state;
  const std::int64_t t0 = 0;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(gcra_acquire(state, kTenPerMinute, t0).allowed);
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(gcra_acquire(state, kTenPerMinute, t0).allowed);
  // 6 s later exactly one more fits, not six.
  const std::int64_t t6 = t0 + 6'000'000'000;
  EXPECT_TRUE(gcra_acquire(state, kTenPerMinute, t6).allowed);
  EXPECT_FALSE(gcra_acquire(state, kTenPerMinute, t6).allowed);
  // A minute after the last, the whole burst is back.
  const std::int64_t later = t6 + 60'000'000'000;
  EXPECT_TRUE(gcra_is_full(state, later));
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(gcra_acquire(state, kTenPerMinute, later).allowed);
}

TEST(Gcra, DisabledLimitAllowsEverything) {
  GcraState state;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(gcra_acquire(state, RateLimit{}, 0).allowed);
}

TEST(LocalRateLimiter, KeepsEveryKeyApart) {
  LocalRateLimiter limiter;
  const auto now = steady::now();
  const RateLimit two{2, 1000ms};
  EXPECT_TRUE(limiter.acquire("mutation:alice", two, now).allowed);
  EXPECT_TRUE(limiter.acquire("mutation:alice", two, now).allowed);
  EXPECT_FALSE(limiter.acquire("mutation:alice", two, now).allowed);
  EXPECT_TRUE(limiter.acquire("mutation:bob", two, now).allowed);
  EXPECT_TRUE(limiter.acquire("validation:alice", two, now).allowed);
}

TEST(LocalRateLimiter, ForgetsRefilledBucketsAsItGrows) {
  LocalRateLimiter limiter;
  const auto now = steady::now();
  const RateLimit one{1, 10ms};
  for (int i = 0; i < 20'000; ++i) limiter.acquire("k" + std::to_string(i), one, now);
  const auto much_later = now + 1s;
  for (int i = 0; i < 20'000; ++i) limiter.acquire("n" + std::to_string(i), one, much_later);
  EXPECT_LT(limiter.size(), 30'000u) << "full buckets of the first round must have been dropped";
}

TEST(LocalRateLimiter, CountsExactlyUnderConcurrency) {
  LocalRateLimiter limiter;
  const auto now = steady::now();
  const RateLimit hundred{100, 3'600'000ms};
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i)
        if (limiter.acquire("shared", hundred, now).allowed) ++allowed;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 100);
}

}  // namespace
}  // namespace keyrelay::monitor
