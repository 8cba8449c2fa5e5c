// The shared GCRA limiter against a real redis-server: the same decisions and headers as the local
// one, one limit across "nodes" (two limiter objects), bounded memory, and the local fallback.

#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <thread>

#include "monitor/redis/redis_rate_limiter.h"
#include "support/redis_server.h"

namespace keyrelay::monitor {
namespace {

using namespace std::chrono_literals;
using test::RedisServer;

constexpr RateLimit kTenPerMinute{10, 60'000ms};

RedisEndpoint endpoint_of(const RedisServer& server) {
  auto e = parse_redis_url(server.url());
  if (!e) throw std::runtime_error(e.error().message);
  return std::move(*e);
}

TEST(RedisRateLimiter, DecidesAndReportsLikeTheLocalLimiter) {
  RedisServer server;
  RedisClient redis(endpoint_of(server));
  RedisRateLimiter shared(redis);
  LocalRateLimiter local;
  const auto now = std::chrono::steady_clock::now();
  for (std::uint32_t i = 0; i < 10; ++i) {
    const auto d = shared.acquire("mutation:alice", kTenPerMinute, now);
    const auto expected = local.acquire("mutation:alice", kTenPerMinute, now);
    ASSERT_TRUE(d.allowed) << "request " << i + 1;
    EXPECT_EQ(d.limit, expected.limit);
    EXPECT_EQ(d.remaining, expected.remaining) << "request " << i + 1;
    // Redis's clock moved on between the calls (by what our own clock saw pass, on a busy machine
    // milliseconds): the same reset, less that time and a millisecond of rounding.
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - now);
    EXPECT_LE(d.reset, expected.reset);
    EXPECT_GE(d.reset, expected.reset - elapsed - 1ms);
  }
  const auto refused = shared.acquire("mutation:alice", kTenPerMinute, now);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0u);
  EXPECT_LE(refused.retry_after, 6'000ms);
  EXPECT_GE(refused.retry_after, 5'900ms);
  EXPECT_GE(refused.reset, 59'900ms);
  EXPECT_EQ(redis.fallbacks(), 0u);
  // Another subject has its own bucket.
  EXPECT_TRUE(shared.acquire("mutation:bob", kTenPerMinute, now).allowed);
}

TEST(RedisRateLimiter, TwoNodesShareOneLimitUnderConcurrency) {
  RedisServer server;
  RedisClient node_a_redis(endpoint_of(server));
  RedisClient node_b_redis(endpoint_of(server));
  RedisRateLimiter node_a(node_a_redis);
  RedisRateLimiter node_b(node_b_redis);
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      RedisRateLimiter& limiter = t % 2 == 0 ? node_a : node_b;
      for (int i = 0; i < 10; ++i)
        if (limiter.acquire("mutation:carol", kTenPerMinute, std::chrono::steady_clock::now()).allowed) ++allowed;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 10) << "10 a minute across both nodes is 10, not 20";
  EXPECT_EQ(node_a_redis.fallbacks() + node_b_redis.fallbacks(), 0u);
}

TEST(RedisRateLimiter, OneCheckIsOneRoundTrip) {
  RedisServer server;
  RedisClient redis(endpoint_of(server));
  RedisRateLimiter limiter(redis);
  const auto now = std::chrono::steady_clock::now();
  ASSERT_TRUE(limiter.acquire("gateway:warm", kTenPerMinute, now).allowed);  // loads the script once
  ASSERT_TRUE(redis.command({"CONFIG", "RESETSTAT"}));
  for (int i = 0; i < 50; ++i) limiter.acquire("gateway:t" + std::to_string(i % 5), kTenPerMinute, now);
  auto info = redis.command({"INFO", "commandstats"});
  ASSERT_TRUE(info);
  // The 50 checks are 50 EVALSHA calls and nothing else from the client (the CONFIG and INFO are ours).
  EXPECT_NE(info->text.find("cmdstat_evalsha:calls=50,"), std::string::npos) << info->text;
  EXPECT_EQ(info->text.find("cmdstat_eval:"), std::string::npos) << info->text;
  const auto measured_from = std::chrono::steady_clock::now();
  for (int i = 0; i < 2000; ++i) limiter.acquire("gateway:speed", RateLimit{1'000'000, 60'000ms}, now);
  const auto each = (std::chrono::steady_clock::now() - measured_from) / 2000;
  std::cout << "[ figure   ] one shared check: "
            << std::chrono::duration_cast<std::chrono::microseconds>(each).count() << " µs (loopback)\n";
}

TEST(RedisRateLimiter, RefillsWithRedisTime) {
  RedisServer server;
  RedisClient redis(endpoint_of(server));
  RedisRateLimiter limiter(redis);
  const RateLimit two_per_200ms{2, 200ms};
  const auto now = std::chrono::steady_clock::now();
  EXPECT_TRUE(limiter.acquire("gateway:t", two_per_200ms, now).allowed);
  EXPECT_TRUE(limiter.acquire("gateway:t", two_per_200ms, now).allowed);
  const auto refused = limiter.acquire("gateway:t", two_per_200ms, now);
  ASSERT_FALSE(refused.allowed);
  std::this_thread::sleep_for(refused.retry_after + 5ms);
  // The caller's `now` is not moved on: Redis's clock decides.
  EXPECT_TRUE(limiter.acquire("gateway:t", two_per_200ms, now).allowed);
}

TEST(RedisRateLimiter, ABucketExpiresWhenItWouldBeFullAgain) {
  RedisServer server;
  RedisClient redis(endpoint_of(server));
  RedisRateLimiter limiter(redis);
  ASSERT_TRUE(limiter.acquire("validation:dave", kTenPerMinute, std::chrono::steady_clock::now()).allowed);
  auto ttl = redis.command({"PTTL", "keyrelay:rl:validation:dave"});
  ASSERT_TRUE(ttl);
  EXPECT_GT(ttl->as_int(), 5'000) << "one unit's worth: 6 s";
  EXPECT_LE(ttl->as_int(), 6'000);
}

TEST(RedisRateLimiter, FallsBackToLocalLimitsWhenRedisDiesAndSharesAgainWhenBack) {
  RedisServer server;
  RedisClientOptions options;
  options.retry_interval = 100ms;
  RedisClient redis(endpoint_of(server), options);
  RedisRateLimiter limiter(redis);
  const RateLimit three{3, 60'000ms};
  const auto now = std::chrono::steady_clock::now();
  ASSERT_TRUE(limiter.acquire("mutation:erin", three, now).allowed);

  server.kill();
  // Still answered, now by this node's memory: a fresh local bucket of 3, then refusals.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.acquire("mutation:erin", three, now).allowed) << i;
  EXPECT_FALSE(limiter.acquire("mutation:erin", three, now).allowed);
  EXPECT_FALSE(redis.is_up());
  EXPECT_GE(redis.fallbacks(), 4u);

  server.start();  // empty: nothing was persisted
  std::this_thread::sleep_for(150ms);
  const auto before = redis.fallbacks();
  EXPECT_TRUE(limiter.acquire("mutation:erin", three, now).allowed);
  EXPECT_TRUE(redis.is_up());
  EXPECT_EQ(redis.fallbacks(), before);
  // Shared again: another node sees what this one spent.
  RedisClient other_redis(endpoint_of(server));
  RedisRateLimiter other(other_redis);
  EXPECT_TRUE(other.acquire("mutation:erin", three, now).allowed);
  EXPECT_TRUE(other.acquire("mutation:erin", three, now).allowed);
  EXPECT_FALSE(other.acquire("mutation:erin", three, now).allowed);
}

}  // namespace
}  // namespace keyrelay::monitor
