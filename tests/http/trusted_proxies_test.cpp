#include "http/trusted_proxies.h"

#include <gtest/gtest.h>

namespace keyrelay::http {
namespace {

TEST(TrustedProxies, ParsesAddressesAndNetworks) {
  auto p = TrustedProxies::parse("10.0.0.0/8, 192.168.1.7 ,::1/128");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(p->contains("10.200.3.4"));
  EXPECT_TRUE(p->contains("192.168.1.7"));
  EXPECT_FALSE(p->contains("192.168.1.8"));
  EXPECT_TRUE(p->contains("::1"));
  EXPECT_TRUE(p->contains("::ffff:10.1.2.3")) << "IPv4-mapped addresses count as IPv4";
  EXPECT_FALSE(p->contains("11.0.0.1"));
}

TEST(TrustedProxies, RejectsBadEntriesNamingThem) {
  for (const char* bad : {"10.0.0.0/33", "not-an-ip", "10.0.0.0/", "10.0.0.0/x", "::1/129"}) {
    auto p = TrustedProxies::parse(bad);
    ASSERT_FALSE(p) << bad;
    EXPECT_NE(p.error().message.find(bad), std::string::npos) << p.error().message;
  }
  EXPECT_TRUE(TrustedProxies::parse(""));
}

TEST(TrustedProxies, IgnoresForwardedForFromUntrustedPeers) {
  auto p = TrustedProxies::parse("10.0.0.1");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->client_ip("203.0.113.9", "1.2.3.4"), "203.0.113.9");
  EXPECT_EQ(TrustedProxies().client_ip("203.0.113.9", "1.2.3.4"), "203.0.113.9");
}

TEST(TrustedProxies, TakesTheFirstUntrustedHopFromTheRight) {
  auto p = TrustedProxies::parse("10.0.0.0/8");
  ASSERT_TRUE(p);
  // The client forged "6.6.6.6"; the real client is the hop our own proxy chain saw.
  EXPECT_EQ(p->client_ip("10.0.0.1", "6.6.6.6, 198.51.100.7, 10.0.0.5"), "198.51.100.7");
  EXPECT_EQ(p->client_ip("10.0.0.1", "198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(p->client_ip("10.0.0.1", "10.0.0.9, 10.0.0.5"), "10.0.0.9") << "all trusted: the leftmost";
  EXPECT_EQ(p->client_ip("10.0.0.1", "garbage, 198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(p->client_ip("10.0.0.1", "198.51.100.7, garbage"), "10.0.0.1") << "unparsable hop: stop at the peer";
}

}  // namespace
}  // namespace keyrelay::http
