// The test harness's private redis-server (tests/support/redis_server.h): it answers PING, enforces
// its password, survives a kill and restart, and leaves nothing behind.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/local_port.h"
#include "support/redis_server.h"
#include "support/redis_wire.h"

namespace keyrelay::test {
namespace {

using Replies = std::vector<std::string>;

TEST(RedisServer, AnswersPing) {
  RedisServer server;
  EXPECT_EQ(redis_exchange(server.port(), {{"PING"}}), Replies{"+PONG"}) << server.logs();
  EXPECT_EQ(server.url(), "redis://127.0.0.1:" + std::to_string(server.port()));
}

TEST(RedisServer, WithAPasswordRequiresAuth) {
  RedisServer server(RedisServer::Options{.password = "s3cret-pass"});
  const auto refused = redis_exchange(server.port(), {{"PING"}});
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->at(0).rfind("-NOAUTH", 0), 0u) << refused->at(0);

  const auto wrong = redis_exchange(server.port(), {{"AUTH", "wrong"}});
  ASSERT_TRUE(wrong.has_value());
  EXPECT_EQ(wrong->at(0).rfind("-WRONGPASS", 0), 0u) << wrong->at(0);

  EXPECT_EQ(redis_exchange(server.port(), {{"AUTH", "s3cret-pass"}, {"PING"}}),
            (Replies{"+OK", "+PONG"}));
  EXPECT_EQ(server.url(), "redis://:s3cret-pass@127.0.0.1:" + std::to_string(server.port()));
}

TEST(RedisServer, AnswersAgainAfterKillAndStart) {
  RedisServer server;
  ASSERT_EQ(redis_exchange(server.port(), {{"SET", "k", "v"}}), Replies{"+OK"});
  const pid_t first = server.pid();

  server.kill();
  EXPECT_FALSE(local_port_accepts_connections(server.port()));
  EXPECT_TRUE(process_is_gone(first));

  server.start();
  EXPECT_EQ(redis_exchange(server.port(), {{"PING"}}), Replies{"+PONG"}) << server.logs();
  // Nothing is persisted: a restarted server starts empty.
  EXPECT_EQ(redis_exchange(server.port(), {{"EXISTS", "k"}}), Replies{":0"});
}

TEST(RedisServer, LeavesNoProcessPortOrFileBehind) {
  std::uint16_t port = 0;
  pid_t pid = -1;
  std::filesystem::path directory;
  {
    RedisServer server;
    port = server.port();
    pid = server.pid();
    directory = server.directory();
    ASSERT_TRUE(local_port_accepts_connections(port));
  }
  EXPECT_FALSE(local_port_accepts_connections(port));
  EXPECT_TRUE(process_is_gone(pid));
  EXPECT_FALSE(std::filesystem::exists(directory));
}

TEST(RedisServer, TwoRunAtOnceOnDifferentPorts) {
  RedisServer first;
  RedisServer second;
  EXPECT_NE(first.port(), second.port());
  EXPECT_EQ(redis_exchange(first.port(), {{"PING"}}), Replies{"+PONG"});
  EXPECT_EQ(redis_exchange(second.port(), {{"PING"}}), Replies{"+PONG"});
}

}  // namespace
}  // namespace keyrelay::test
