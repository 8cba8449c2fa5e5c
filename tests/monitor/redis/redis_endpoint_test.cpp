// KEYRELAY_REDIS_URL as API.md's round-2 contract spells it, and the password kept out of errors.

#include <gtest/gtest.h>

#include "monitor/redis/redis_endpoint.h"

namespace keyrelay::monitor {
namespace {

TEST(RedisEndpoint, ReadsHostPortAndDatabase) {
  auto e = parse_redis_url("redis://cache.internal:6380/3");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->host, "cache.internal");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->db, 3u);
  EXPECT_FALSE(e->password);
  EXPECT_FALSE(e->user);
  EXPECT_EQ(e->display(), "redis://cache.internal:6380/3");
}

TEST(RedisEndpoint, DefaultsToPort6379AndDatabase0) {
  auto e = parse_redis_url("redis://localhost");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->port, 6379);
  EXPECT_EQ(e->db, 0u);
  auto slash = parse_redis_url("redis://localhost/");
  ASSERT_TRUE(slash);
  EXPECT_EQ(slash->db, 0u);
}

TEST(RedisEndpoint, ReadsAPasswordAndAUserPercentDecoded) {
  auto e = parse_redis_url("redis://:p%40ss:w0rd@10.0.0.5:6379/1");
  ASSERT_TRUE(e) << e.error().message;
  ASSERT_TRUE(e->password);
  EXPECT_EQ(e->password->reveal_text(), "p@ss:w0rd");
  EXPECT_FALSE(e->user);
  EXPECT_EQ(e->host, "10.0.0.5");
  EXPECT_EQ(e->display().find("p@ss"), std::string::npos);

  auto acl = parse_redis_url("redis://keyrelay:topsecret@h:1");
  ASSERT_TRUE(acl) << acl.error().message;
  EXPECT_EQ(acl->user, "keyrelay");
  EXPECT_EQ(acl->password->reveal_text(), "topsecret");
}

TEST(RedisEndpoint, ReadsABracketedIpv6Host) {
  auto e = parse_redis_url("redis://[::1]:7000/2");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->host, "::1");
  EXPECT_EQ(e->port, 7000);
  EXPECT_EQ(e->display(), "redis://[::1]:7000/2");
}

TEST(RedisEndpoint, RedissMeansTls) {
  auto e = parse_redis_url("rediss://default:hunter2secret@cache:6380/1");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->host, "cache");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->db, 1u);
  EXPECT_EQ(e->user, "default");
  EXPECT_EQ(e->display(), "rediss://cache:6380/1");
  EXPECT_FALSE(parse_redis_url("redis://cache")->tls);
}

TEST(RedisEndpoint, MalformedUrlsAreRefusedWithoutThePassword) {
  for (const char* url : {"http://:hunter2secret@h:1", "redis://:hunter2secret@h:notaport", "redis://:hunter2secret@h:0",
                          "redis://:hunter2secret@h:1/x", "redis://:hunter2secret@:1", "redis://:hunter2secret@h:1?db=2",
                          "redis://:hunter2secret%4@h:1", "redis://:hunter2secret@[::1:1"}) {
    auto e = parse_redis_url(url);
    ASSERT_FALSE(e) << url;
    EXPECT_EQ(e.error().message.find("hunter2secret"), std::string::npos) << e.error().message;
    EXPECT_NE(e.error().message.find("KEYRELAY_REDIS_URL"), std::string::npos) << e.error().message;
  }
}

}  // namespace
}  // namespace keyrelay::monitor
