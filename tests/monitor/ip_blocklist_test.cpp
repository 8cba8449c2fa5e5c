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

}  // namespace
}  // namespace keyrelay::monitor
