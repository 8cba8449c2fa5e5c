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

}  // namespace
}  // namespace keyrelay::core
