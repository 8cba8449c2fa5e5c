#include <gtest/gtest.h>

#include "monitor/burst_detector.h"

namespace keyrelay::monitor {
namespace {

using namespace std::chrono_literals;

TEST(BurstDetector, FiresOnTheNthEventWithinTheWindowOnce) {
  BurstDetector detector(3, 60s);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(detector.record("alice", t0));
  EXPECT_FALSE(detector.record("alice", t0 + 1s));
  EXPECT_TRUE(detector.record("alice", t0 + 2s));
  // Counting starts afresh: the 4th and 5th do not fire again, the 6th does.
  EXPECT_FALSE(detector.record("alice", t0 + 3s));
  EXPECT_FALSE(detector.record("alice", t0 + 4s));
  EXPECT_TRUE(detector.record("alice", t0 + 5s));
}

TEST(BurstDetector, EventsOutsideTheWindowDoNotCount) {
  BurstDetector detector(3, 10s);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(detector.record("alice", t0));
  EXPECT_FALSE(detector.record("alice", t0 + 6s));
  EXPECT_FALSE(detector.record("alice", t0 + 12s)) << "the first one is older than 10 s by now";
  EXPECT_TRUE(detector.record("alice", t0 + 13s));
}

TEST(BurstDetector, SubjectsAreCountedApartAndZeroIsOff) {
  BurstDetector detector(2, 10s);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(detector.record("alice", t0));
  EXPECT_FALSE(detector.record("bob", t0));
  EXPECT_TRUE(detector.record("alice", t0));
  BurstDetector off(0, 10s);
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(off.record("x", t0));
}

}  // namespace
}  // namespace keyrelay::monitor
