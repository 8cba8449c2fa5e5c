// The Redis client against a real redis-server (tests/support/redis_server.h): login, database,
// scripts by SHA-1 with the NOSCRIPT fallback, fail-fast while down, reconnection when it is back.

#include <gtest/gtest.h>

#include <thread>

#include "monitor/redis/redis_client.h"
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

RedisClientOptions fast_retry() {
  RedisClientOptions o;
  o.retry_interval = 100ms;
  return o;
}

TEST(RedisClient, RunsCommandsAndScripts) {
  RedisServer server;
  RedisClient redis(endpoint_of(server));
  ASSERT_TRUE(redis.check());
  auto set = redis.command({"SET", redis.key("t"), "41"});
  ASSERT_TRUE(set) << set.error().message;
  const RedisScript incr("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  auto r = redis.eval(incr, {redis.key("t")}, {"1"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->as_int(), 42);
  EXPECT_EQ(redis.key("t"), "keyrelay:t");
}

TEST(RedisClient, ComputesTheSha1RedisUses) {
  RedisServer server;
  RedisClient redis(endpoint_of(server));
  const RedisScript script("return 7");
  auto loaded = redis.command({"SCRIPT", "LOAD", script.source()});
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->text, script.sha1());
}

TEST(RedisClient, SendsTheSourceWhenRedisForgotTheScript) {
  RedisServer server;
  RedisClient redis(endpoint_of(server));
  const RedisScript script("return tonumber(ARGV[1]) * 2");
  ASSERT_EQ(redis.eval(script, {}, {"21"})->as_int(), 42);
  ASSERT_TRUE(redis.command({"SCRIPT", "FLUSH"}));
  auto again = redis.eval(script, {}, {"5"});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->as_int(), 10);
}

TEST(RedisClient, AScriptErrorIsAnErrorButRedisStaysUp) {
  RedisServer server;
  RedisClient redis(endpoint_of(server));
  const RedisScript broken("return redis.call('NOSUCHCOMMAND')");
  auto r = redis.eval(broken, {}, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::Errc::internal);
  EXPECT_TRUE(redis.is_up());
}

TEST(RedisClient, LogsInWithThePasswordAndSelectsTheDatabase) {
  RedisServer server(RedisServer::Options{.password = "correct-horse-battery"});
  auto endpoint = parse_redis_url("redis://:correct-horse-battery@127.0.0.1:" + std::to_string(server.port()) + "/5");
  ASSERT_TRUE(endpoint);
  RedisClient redis(std::move(*endpoint));
  ASSERT_TRUE(redis.check());
  ASSERT_TRUE(redis.command({"SET", "in-db-5", "yes"}));
  // Another client on database 0 does not see it: SELECT happened.
  RedisClient db0(endpoint_of(server));
  auto seen = db0.command({"EXISTS", "in-db-5"});
  ASSERT_TRUE(seen) << seen.error().message;
  EXPECT_EQ(seen->as_int(), 0);
}

TEST(RedisClient, AWrongPasswordIsRefusedWithoutRepeatingIt) {
  RedisServer server(RedisServer::Options{.password = "correct-horse-battery"});
  auto endpoint = parse_redis_url("redis://:wrong-guess-1234@127.0.0.1:" + std::to_string(server.port()));
  ASSERT_TRUE(endpoint);
  RedisClient redis(std::move(*endpoint));
  auto r = redis.check();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.find("wrong-guess-1234"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("correct-horse"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("refused the login"), std::string::npos) << r.error().message;
}

TEST(RedisClient, FailsFastWhileDownAndReconnectsWhenBack) {
  RedisServer server;
  RedisClient redis(endpoint_of(server), fast_retry());
  ASSERT_TRUE(redis.check());
  server.kill();
  EXPECT_FALSE(redis.command({"PING"}));
  EXPECT_FALSE(redis.is_up());
  // Within the retry interval nothing touches the network: the answer is immediate.
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(redis.command({"PING"}));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 100ms);

  server.start();
  std::this_thread::sleep_for(150ms);
  auto back = redis.command({"PING"});
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->text, "PONG");
  EXPECT_TRUE(redis.is_up());
}

TEST(RedisClient, ReconnectsAfterARestartBetweenTwoCalls) {
  RedisServer server;
  RedisClient redis(endpoint_of(server), fast_retry());
  ASSERT_TRUE(redis.check());  // leaves a pooled connection that the restart closes
  server.kill();
  server.start();
  auto r = redis.command({"PING"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(redis.is_up());
}

TEST(RedisClient, ServesManyThreadsAtOnce) {
  RedisServer server;
  RedisClient redis(endpoint_of(server));
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) ASSERT_TRUE(redis.command({"INCR", redis.key("n")}));
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(redis.command({"GET", redis.key("n")})->as_int(), 1600);
}

}  // namespace
}  // namespace keyrelay::monitor
