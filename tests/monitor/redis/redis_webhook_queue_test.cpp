// The shared webhook queue against a real redis-server: claims are exclusive, a lease that runs out
// lets another consumer take the delivery over, outcomes reschedule or finish it, and the listing
// shows every node's deliveries.

#include <gtest/gtest.h>

#include <thread>

#include "monitor/redis/redis_webhook_queue.h"
#include "support/redis_server.h"

namespace keyrelay::monitor {
namespace {

using namespace std::chrono_literals;
using test::RedisServer;

RedisEndpoint endpoint_of(const RedisServer& server) {
  auto e = parse_redis_url(server.url());
  if (!e) throw std::runtime_error(e.error().message);
  return std::move(*e);
}

WebhookDelivery delivery(std::string id, std::chrono::system_clock::time_point created) {
  WebhookDelivery d;
  d.id = std::move(id);
  d.alert_id = "alert-1";
  d.event = "alert.raised";
  d.rule = "key.invalid";
  d.url = "https://hooks.example.com/T0/B1/secretpath";
  d.created_at = created;
  d.next_attempt_at = created;
  return d;
}

struct TwoConsumers {
  RedisServer server;
  RedisClient a_redis{endpoint_of(server)};
  RedisClient b_redis{endpoint_of(server)};
  RedisWebhookQueue a{a_redis};
  RedisWebhookQueue b{b_redis};
};

TEST(RedisWebhookQueue, ADueDeliveryIsClaimedByOneConsumerOnly) {
  TwoConsumers q;
  const auto now = std::chrono::system_clock::now();
  ASSERT_TRUE(q.a.add(delivery("d1", now), R"({"type":"alert.raised"})"));
  auto first = q.b.claim(5s);
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(*first);
  EXPECT_EQ((*first)->delivery.id, "d1");
  EXPECT_EQ((*first)->delivery.attempts, 1u);
  EXPECT_EQ((*first)->delivery.url, "https://hooks.example.com/T0/B1/secretpath");
  EXPECT_EQ((*first)->body, R"({"type":"alert.raised"})");
  auto second = q.a.claim(5s);
  ASSERT_TRUE(second);
  EXPECT_FALSE(*second) << "leased to the other consumer";
  EXPECT_EQ(*q.a.pending(), 1u);
}

TEST(RedisWebhookQueue, ALeaseThatRunsOutIsTakenOverByAnotherConsumer) {
  TwoConsumers q;
  ASSERT_TRUE(q.a.add(delivery("d2", std::chrono::system_clock::now()), "{}"));
  auto claimed_by_a = q.a.claim(200ms);  // node A claims, then "dies" without recording anything
  ASSERT_TRUE(claimed_by_a && *claimed_by_a);
  ASSERT_FALSE(*q.b.claim(200ms));
  std::this_thread::sleep_for(250ms);
  auto taken_over = q.b.claim(5s);
  ASSERT_TRUE(taken_over && *taken_over) << "B takes the delivery over once A's lease ran out";
  EXPECT_EQ((*taken_over)->delivery.id, "d2");
  EXPECT_EQ((*taken_over)->delivery.attempts, 2u);
  // A's late outcome no longer counts; B's does.
  DeliveryOutcome delivered{DeliveryState::delivered, 200, "", 0ms};
  auto late = q.a.finish(**claimed_by_a, delivered);
  ASSERT_TRUE(late);
  EXPECT_FALSE(*late);
  auto recorded = q.b.finish(**taken_over, delivered);
  ASSERT_TRUE(recorded);
  EXPECT_TRUE(*recorded);
  EXPECT_EQ(*q.a.pending(), 0u);
  auto listed = q.a.recent(10);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().state, DeliveryState::delivered);
  EXPECT_EQ(listed->front().attempts, 2u);
  EXPECT_EQ(listed->front().last_status, 200);
  EXPECT_TRUE(listed->front().finished_at);
}

TEST(RedisWebhookQueue, AFailedAttemptIsDueAgainAfterItsBackoff) {
  TwoConsumers q;
  ASSERT_TRUE(q.a.add(delivery("d3", std::chrono::system_clock::now()), "{}"));
  auto claimed = q.a.claim(5s);
  ASSERT_TRUE(claimed && *claimed);
  ASSERT_TRUE(q.a.finish(**claimed, DeliveryOutcome{DeliveryState::pending, 503, "", 150ms}));
  EXPECT_FALSE(*q.b.claim(5s)) << "not due before the back-off";
  auto listed = q.b.recent(10);
  ASSERT_TRUE(listed && listed->size() == 1u);
  EXPECT_EQ(listed->front().state, DeliveryState::pending);
  EXPECT_EQ(listed->front().last_status, 503);
  EXPECT_TRUE(listed->front().next_attempt_at);
  std::this_thread::sleep_for(200ms);
  auto again = q.b.claim(5s);
  ASSERT_TRUE(again && *again);
  EXPECT_EQ((*again)->delivery.attempts, 2u);
  ASSERT_TRUE(q.b.finish(**again, DeliveryOutcome{DeliveryState::failed, std::nullopt, "connection refused", 0ms}));
  EXPECT_EQ(*q.a.pending(), 0u);
  auto ttl = q.a_redis.command({"PTTL", "keyrelay:webhooks:d:d3"});
  ASSERT_TRUE(ttl);
  EXPECT_GT(ttl->as_int(), 0) << "a finished delivery's record expires";
  EXPECT_EQ(q.a.recent(1)->front().last_error, "connection refused");
}

TEST(RedisWebhookQueue, ListsNewestFirstAndKeepsTheNewestOnes) {
  RedisServer server;
  RedisClient redis(endpoint_of(server));
  RedisWebhookQueue queue(redis, RedisWebhookQueueOptions{.capacity = 3});
  const auto t0 = std::chrono::system_clock::now();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(queue.add(delivery("d" + std::to_string(i), t0 + std::chrono::seconds(i)), "{}"));
  auto listed = queue.recent(10);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ(listed->at(0).id, "d4");
  EXPECT_EQ(listed->at(2).id, "d2");
  EXPECT_EQ(*queue.pending(), 5u) << "trimming the listing drops no pending delivery";
}

TEST(RedisWebhookQueue, ReportsRedisBeingDown) {
  RedisServer server;
  RedisClient redis(endpoint_of(server));
  RedisWebhookQueue queue(redis);
  server.kill();
  EXPECT_FALSE(queue.add(delivery("d", std::chrono::system_clock::now()), "{}"));
  EXPECT_FALSE(queue.claim(1s));
  EXPECT_FALSE(queue.recent(5));
}

}  // namespace
}  // namespace keyrelay::monitor
