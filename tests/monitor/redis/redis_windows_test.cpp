// The lockout, burst windows, error-rate window and client sightings shared through a real
// redis-server: what one node records, the other sees; keys expire; Redis down → local.

#include <gtest/gtest.h>

#include <thread>

#include "monitor/redis/redis_address_blocklist.h"
#include "monitor/redis/redis_burst_detector.h"
#include "monitor/redis/redis_client_sightings.h"
#include "monitor/redis/redis_error_rate_window.h"
#include "support/redis_server.h"

namespace keyrelay::monitor {
namespace {

using namespace std::chrono_literals;
using test::RedisServer;
using steady = std::chrono::steady_clock;

RedisEndpoint endpoint_of(const RedisServer& server) {
  auto e = parse_redis_url(server.url());
  if (!e) throw std::runtime_error(e.error().message);
  return std::move(*e);
}

// Two nodes: two clients of one server.
struct TwoNodes {
  RedisServer server;
  RedisClient a{endpoint_of(server), options()};
  RedisClient b{endpoint_of(server), options()};
  static RedisClientOptions options() {
    RedisClientOptions o;
    o.retry_interval = 100ms;
    return o;
  }
};

TEST(RedisAddressBlocklist, ABlockOnOneNodeRefusesOnTheOtherUntilItEnds) {
  TwoNodes nodes;
  RedisAddressBlocklist on_a(nodes.a), on_b(nodes.b);
  const auto now = steady::now();
  EXPECT_FALSE(on_b.blocked_until("203.0.113.9", now));
  EXPECT_TRUE(on_a.block("203.0.113.9", now, now + 300ms)) << "a new block";
  EXPECT_FALSE(on_b.block("203.0.113.9", now, now + 200ms)) << "already blocked: not new, and not shortened";
  const auto until = on_b.blocked_until("203.0.113.9", now);
  ASSERT_TRUE(until);
  EXPECT_GT(*until - now, 200ms);
  EXPECT_LE(*until - now, 300ms);
  // The group, not the address: another address of the same IPv6 /64 is refused too.
  EXPECT_TRUE(on_a.block("2001:db8:1:2::1", now, now + 300ms));
  EXPECT_TRUE(on_b.blocked_until("2001:db8:1:2::ffff", now));
  std::this_thread::sleep_for(350ms);
  EXPECT_FALSE(on_b.blocked_until("203.0.113.9", steady::now())) << "Redis forgot it when the block ended";
}

TEST(RedisAddressBlocklist, FallsBackToThisNodeWhileRedisIsDown) {
  TwoNodes nodes;
  RedisAddressBlocklist on_a(nodes.a);
  nodes.server.kill();
  const auto now = steady::now();
  EXPECT_TRUE(on_a.block("198.51.100.7", now, now + 1s));
  EXPECT_TRUE(on_a.blocked_until("198.51.100.7", now));
  EXPECT_GE(nodes.a.fallbacks(), 2u);
}

TEST(RedisBurstDetector, CountsEventsFromBothNodesAndFiresOnce) {
  TwoNodes nodes;
  RedisBurstDetector on_a(nodes.a, "management", 4, 1000ms), on_b(nodes.b, "management", 4, 1000ms);
  const auto now = steady::now();
  EXPECT_FALSE(on_a.record("alice", now));
  EXPECT_FALSE(on_b.record("alice", now));
  EXPECT_FALSE(on_a.record("alice", now));
  EXPECT_FALSE(on_b.record("bob", now)) << "another subject";
  EXPECT_TRUE(on_b.record("alice", now)) << "the 4th of alice's, across both nodes";
  EXPECT_FALSE(on_a.record("alice", now)) << "counting starts afresh";
  // Another detector's name keeps its own count.
  RedisBurstDetector validations(nodes.a, "validation_failures", 2, 1000ms);
  EXPECT_FALSE(validations.record("alice", now));
  auto ttl = nodes.a.command({"PTTL", "keyrelay:burst:management:alice"});
  ASSERT_TRUE(ttl);
  EXPECT_GT(ttl->as_int(), 0);
  EXPECT_LE(ttl->as_int(), 1000);
}

TEST(RedisBurstDetector, EventsOlderThanTheWindowDoNotCount) {
  TwoNodes nodes;
  RedisBurstDetector on_a(nodes.a, "management", 3, 150ms);
  EXPECT_FALSE(on_a.record("carol", steady::now()));
  EXPECT_FALSE(on_a.record("carol", steady::now()));
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(on_a.record("carol", steady::now()));
  EXPECT_FALSE(on_a.record("carol", steady::now()));
  EXPECT_TRUE(on_a.record("carol", steady::now()));
}

TEST(RedisErrorRateWindow, BothNodesRequestsMakeOneRateReportedOnce) {
  TwoNodes nodes;
  RedisErrorRateWindow on_a(nodes.a, 50, 10, 60s), on_b(nodes.b, 50, 10, 60s);
  const auto now = steady::now();
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(on_a.record("openai", false, now));
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(on_b.record("openai", true, now)) << "under 10 requests: too few to tell";
  const auto report = on_a.record("openai", true, now);
  ASSERT_TRUE(report) << "10 requests across both nodes, 6 failed";
  EXPECT_EQ(report->requests, 10u);
  EXPECT_EQ(report->errors, 6u);
  EXPECT_EQ(report->percent(), 60u);
  EXPECT_FALSE(on_b.record("openai", true, now)) << "reported once per window, by either node";
  EXPECT_FALSE(on_a.record("anthropic", true, now)) << "another provider";
}

TEST(RedisErrorRateWindow, OldSlotsLeaveTheWindow) {
  TwoNodes nodes;
  RedisErrorRateWindow on_a(nodes.a, 50, 4, 200ms);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(on_a.record("gemini", true, steady::now()));
  std::this_thread::sleep_for(260ms);
  EXPECT_FALSE(on_a.record("gemini", true, steady::now())) << "the earlier three are out of the window";
}

TEST(RedisClientSightings, AClientSeenOnOneNodeIsNoNewsOnTheOther) {
  TwoNodes nodes;
  RedisClientSightings on_a(nodes.a), on_b(nodes.b);
  EXPECT_FALSE(on_a.is_new("u1", "10.0.0.1", "app/1")) << "the first client is the baseline";
  EXPECT_FALSE(on_b.is_new("u1", "10.0.0.1", "app/1"));
  EXPECT_TRUE(on_b.is_new("u1", "10.9.9.9", "curl/8"));
  EXPECT_FALSE(on_a.is_new("u1", "10.9.9.9", "curl/8"));
  EXPECT_FALSE(on_a.is_new("u2", "10.9.9.9", "curl/8")) << "another user's baseline";
  auto ttl = nodes.a.command({"PTTL", "keyrelay:clients:u1"});
  ASSERT_TRUE(ttl);
  EXPECT_GT(ttl->as_int(), 29LL * 24 * 3600 * 1000) << "kept 30 days after the last use";
  auto members = nodes.a.command({"SMEMBERS", "keyrelay:clients:u1"});
  ASSERT_TRUE(members);
  for (const auto& m : members->elements) EXPECT_EQ(m.text.size(), 40u) << "stored as SHA-1s: " << m.text;
}

TEST(RedisClientSightings, AUserWithTooManyClientsStartsOverQuietly) {
  TwoNodes nodes;
  RedisClientSightings on_a(nodes.a, 3);
  EXPECT_FALSE(on_a.is_new("u", "1", "a"));
  EXPECT_TRUE(on_a.is_new("u", "2", "a"));
  EXPECT_TRUE(on_a.is_new("u", "3", "a"));
  EXPECT_FALSE(on_a.is_new("u", "4", "a")) << "the 4th: forget and start over";
  EXPECT_FALSE(on_a.is_new("u", "4", "a"));
  EXPECT_TRUE(on_a.is_new("u", "1", "a"));
}

TEST(RedisClientSightings, FallsBackToThisNodeWhileRedisIsDown) {
  TwoNodes nodes;
  RedisClientSightings on_a(nodes.a);
  nodes.server.kill();
  EXPECT_FALSE(on_a.is_new("u", "1", "a"));
  EXPECT_TRUE(on_a.is_new("u", "2", "a"));
  EXPECT_GE(nodes.a.fallbacks(), 2u);
}

}  // namespace
}  // namespace keyrelay::monitor
