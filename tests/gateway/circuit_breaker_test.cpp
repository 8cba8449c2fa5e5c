#include "gateway/circuit_breaker.h"

#include <gtest/gtest.h>

#include "support/fake_clock.h"

namespace keyrelay::gateway {
namespace {

using namespace std::chrono_literals;

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresAndRestsForTheCoolDown) {
  test::FakeClock clock;
  CircuitBreaker breaker(clock, 3, 30s);
  breaker.record_failure("k");
  breaker.record_failure("k");
  EXPECT_TRUE(breaker.allows("k"));
  breaker.record_failure("k");
  EXPECT_FALSE(breaker.allows("k"));
  EXPECT_TRUE(breaker.allows("other"));
  EXPECT_EQ(breaker.open_count(), 1u);
  clock.advance(29s);
  EXPECT_FALSE(breaker.allows("k"));
}

TEST(CircuitBreaker, AfterTheCoolDownOneTrialDecides) {
  test::FakeClock clock;
  CircuitBreaker breaker(clock, 2, 10s);
  breaker.record_failure("k");
  breaker.record_failure("k");
  clock.advance(11s);
  EXPECT_TRUE(breaker.allows("k"));   // the trial
  EXPECT_FALSE(breaker.allows("k"));  // only one at a time
  breaker.record_failure("k");        // trial failed: rest again
  EXPECT_FALSE(breaker.allows("k"));
  clock.advance(11s);
  EXPECT_TRUE(breaker.allows("k"));
  breaker.record_success("k");        // trial worked: closed
  EXPECT_TRUE(breaker.allows("k"));
  EXPECT_TRUE(breaker.allows("k"));
}

TEST(CircuitBreaker, ASuccessResetsTheCount) {
  test::FakeClock clock;
  CircuitBreaker breaker(clock, 2, 10s);
  breaker.record_failure("k");
  breaker.record_success("k");
  breaker.record_failure("k");
  EXPECT_TRUE(breaker.allows("k"));
}

}  // namespace
}  // namespace keyrelay::gateway
