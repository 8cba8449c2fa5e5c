#include <gtest/gtest.h>

#include "monitor/error_rate_window.h"

namespace keyrelay::monitor {
namespace {

using namespace std::chrono_literals;

TEST(ErrorRateWindow, ReportsOnceTheShareAndTheVolumeAreReached) {
  ErrorRateWindow window(50, 10, 60s);
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(window.record("openai", false, t0));
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(window.record("openai", true, t0)) << "9 requests are too few";
  const auto rate = window.record("openai", true, t0);
  ASSERT_TRUE(rate);
  EXPECT_EQ(rate->requests, 10u);
  EXPECT_EQ(rate->errors, 5u);
  EXPECT_EQ(rate->percent(), 50u);
  // Still failing within the same window: no second report.
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(window.record("openai", true, t0 + 10s));
  // Another provider is counted apart.
  EXPECT_FALSE(window.record("anthropic", true, t0));
}

TEST(ErrorRateWindow, OldRequestsLeaveTheWindow) {
  ErrorRateWindow window(50, 4, 10s);
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) window.record("gemini", true, t0);
  // 20 s later the earlier failures are gone: one failure out of one is below the minimum volume.
  EXPECT_FALSE(window.record("gemini", true, t0 + 20s));
  EXPECT_FALSE(window.record("gemini", true, t0 + 20s));
  EXPECT_FALSE(window.record("gemini", true, t0 + 20s));
  EXPECT_TRUE(window.record("gemini", true, t0 + 20s));
}

}  // namespace
}  // namespace keyrelay::monitor
