#include "gateway/upstream_url.h"

#include <gtest/gtest.h>

namespace keyrelay::gateway {
namespace {

TEST(UpstreamUrl, HttpsDefaultsToPort443) {
  auto t = parse_upstream_url("https://api.openai.com/v1/models");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_TRUE(t->origin.tls);
  EXPECT_EQ(t->origin.host, "api.openai.com");
  EXPECT_EQ(t->origin.port, 443);
  EXPECT_EQ(t->origin.host_header, "api.openai.com");
  EXPECT_EQ(t->target, "/v1/models");
  EXPECT_EQ(t->origin.key(), "https://api.openai.com:443");
}

TEST(UpstreamUrl, HttpKeepsExplicitPortInHostHeader) {
  auto t = parse_upstream_url("http://127.0.0.1:8081");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_FALSE(t->origin.tls);
  EXPECT_EQ(t->origin.port, 8081);
  EXPECT_EQ(t->origin.host_header, "127.0.0.1:8081");
  EXPECT_EQ(t->target, "/");
}

TEST(UpstreamUrl, DefaultPortWrittenOutIsLeftOutOfHostHeader) {
  auto t = parse_upstream_url("HTTP://Example.com:80/a");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->origin.port, 80);
  EXPECT_EQ(t->origin.host_header, "Example.com");
}

TEST(UpstreamUrl, TargetIsPathAndQueryAsGiven) {
  auto t = parse_upstream_url("https://h/v1beta/models/gemini%2Dpro:generate?key=a%2Bb&alt=sse#frag");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->target, "/v1beta/models/gemini%2Dpro:generate?key=a%2Bb&alt=sse");
  auto empty_query = parse_upstream_url("https://h/x?");
  ASSERT_TRUE(empty_query);
  EXPECT_EQ(empty_query->target, "/x?");
}

TEST(UpstreamUrl, Ipv6LiteralConnectsWithoutBrackets) {
  auto t = parse_upstream_url("http://[::1]:9000/p");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->origin.host, "::1");
  EXPECT_EQ(t->origin.host_header, "[::1]:9000");
}

TEST(UpstreamUrl, RefusesWhatIsNotAnAbsoluteHttpUrl) {
  for (const char* bad : {"", "/v1/models", "api.openai.com/v1", "ftp://h/x", "ws://h/x", "http://", "http:///x",
                          "https://user:pw@h/x", "http://h:0/", "http://h:70000/", "http://h:abc/",
                          "http://h/a b"}) {
    auto t = parse_upstream_url(bad);
    ASSERT_FALSE(t) << bad;
    EXPECT_EQ(t.error().code, core::Errc::invalid_request) << bad;
  }
}

TEST(UpstreamUrl, ErrorNeverRepeatsTheUrl) {
  auto t = parse_upstream_url("ftp://h/x?key=SECRET123");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().message.find("SECRET123"), std::string::npos);
}

}  // namespace
}  // namespace keyrelay::gateway
