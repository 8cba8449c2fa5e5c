#include "core/time_format.h"

#include <gtest/gtest.h>

namespace keyrelay::core {
namespace {

using namespace std::chrono;

TEST(TimeFormat, FormatsUtcWithMilliseconds) {
  const auto t = sys_days{2026y / November / 23} + hours{18} + minutes{57} + seconds{1} + milliseconds{42};
  EXPECT_EQ(format_rfc3339(time_point_cast<system_clock::duration>(t)), "2026-11-23T18:57:01.042Z");
}

TEST(TimeFormat, FormatsTimesBeforeTheEpoch) {
  const auto t = sys_days{1969y / December / 31} + hours{23} + minutes{59} + seconds{59} + milliseconds{500};
  EXPECT_EQ(format_rfc3339(time_point_cast<system_clock::duration>(t)), "1969-12-31T23:59:59.500Z");
}

TEST(TimeFormat, ParsesZuluOffsetsAndFractions) {
  const auto base = sys_days{2026y / January / 2} + hours{3} + minutes{4} + seconds{5};
  EXPECT_EQ(*parse_rfc3339("2026-01-02T03:04:05Z"), base);
  EXPECT_EQ(*parse_rfc3339("2026-01-02T05:04:05+02:00"), base);
  EXPECT_EQ(*parse_rfc3339("2026-01-02T02:34:05-00:30"), base);
  EXPECT_EQ(*parse_rfc3339("2026-01-02T03:04:05.25Z"), base + milliseconds(250));
}

TEST(TimeFormat, RoundTrips) {
  const auto now = time_point_cast<milliseconds>(system_clock::now());
  EXPECT_EQ(*parse_rfc3339(format_rfc3339(now)), now);
}

TEST(TimeFormat, RejectsMalformedAndImpossibleDates) {
  for (const char* bad : {"", "2026-01-02", "2026-01-02T03:04:05", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z",
                          "2026-01-02T24:00:00Z", "2026-01-02T03:04:05.Z", "2026-01-02T03:04:05Zjunk",
                          "2026-01-02 03:04:05Z", "2026-01-02T03:04:05+0200"}) {
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
  }
}

// Found by fuzzing (tests/fuzz/corpus/keyring_file/finding-year-4050): system_clock counts
// nanoseconds in a signed 64-bit number, which ends in April 2262 and begins in September 1677.
// Later (or earlier) times are refused instead of overflowing into an arbitrary time.
TEST(TimeFormat, RefusesTimesTheClockCannotHold) {
  for (const char* far : {"4050-01-02T03:04:05Z", "9999-12-31T23:59:59.999Z", "2262-04-11T23:47:17Z",
                          "2262-04-12T00:00:00+00:10", "1677-09-21T00:12:43Z", "0000-01-01T00:00:00Z"}) {
    EXPECT_FALSE(parse_rfc3339(far)) << far;
  }
  const auto last = sys_days{2262y / April / 11} + hours{23} + minutes{47} + seconds{15};
  EXPECT_EQ(*parse_rfc3339("2262-04-11T23:47:15Z"), last);
  EXPECT_EQ(*parse_rfc3339("2262-04-11T23:57:15+00:10"), last);
  EXPECT_TRUE(parse_rfc3339("1677-09-22T00:00:00Z"));
}

}  // namespace
}  // namespace keyrelay::core
