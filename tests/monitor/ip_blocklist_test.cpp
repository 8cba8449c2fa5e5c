#include <gtest/gtest.h>

#include "monitor/ip_blocklist.h"

namespace keyrelay::monitor {
namespace {

using namespace std::chrono_literals;

TEST(IpBlocklist, BlocksUntilTheGivenTimeOnly) {
  IpBlocklist list;
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(list.blocked_until("10.0.0.1", t0));
  EXPECT_TRUE(list.block("10.0.0.1", t0, t0 + 60s)) << "a new block";
  EXPECT_EQ(list.blocked_until("10.0.0.1", t0 + 1s), t0 + 60s);
  EXPECT_FALSE(list.blocked_until("10.0.0.2", t0 + 1s));
  EXPECT_FALSE(list.blocked_until("10.0.0.1", t0 + 60s));
}

TEST(IpBlocklist, ABlockWhileBlockedExtendsItAndIsNotNew) {
  IpBlocklist list;
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(list.block("::1", t0, t0 + 10s));
  EXPECT_FALSE(list.block("::1", t0 + 5s, t0 + 20s));
  EXPECT_EQ(list.blocked_until("::1", t0 + 15s), t0 + 20s);
  EXPECT_TRUE(list.block("::1", t0 + 30s, t0 + 40s)) << "the old block had ended";
}

TEST(IpBlocklist, AnIpv6AddressBlocksItsWhole64) {
  // One subscriber holds a /64 and may use any address of it: blocking one address would be no block.
  IpBlocklist list;
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(list.block("2001:db8:1:2::1", t0, t0 + 60s));
  EXPECT_EQ(list.blocked_until("2001:db8:1:2:ffff:eeee:dddd:cccc", t0 + 1s), t0 + 60s);
  EXPECT_FALSE(list.block("2001:db8:1:2::9", t0 + 2s, t0 + 30s)) << "the same client, already blocked";
  EXPECT_FALSE(list.blocked_until("2001:db8:1:3::1", t0 + 1s)) << "the next /64 is someone else";
}

TEST(IpBlocklist, AnIpv4MappedAddressIsTheIpv4Address) {
  IpBlocklist list;
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(list.block("::ffff:203.0.113.7", t0, t0 + 60s));
  EXPECT_TRUE(list.blocked_until("203.0.113.7", t0 + 1s));
  EXPECT_FALSE(list.blocked_until("203.0.113.8", t0 + 1s)) << "IPv4 is blocked per address";
}

}  // namespace
}  // namespace keyrelay::monitor
