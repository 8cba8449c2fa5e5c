#include "core/duration.h"

#include <gtest/gtest.h>

namespace keyrelay::core {
namespace {

using namespace std::chrono;

TEST(Duration, ParsesEveryUnit) {
  EXPECT_EQ(*parse_duration("250ms"), milliseconds(250));
  EXPECT_EQ(*parse_duration("10s"), seconds(10));
  EXPECT_EQ(*parse_duration("5m"), minutes(5));
  EXPECT_EQ(*parse_duration("12h"), hours(12));
  EXPECT_EQ(*parse_duration("30d"), hours(24 * 30));
  EXPECT_EQ(*parse_duration("0s"), milliseconds(0));
}

TEST(Duration, RequiresAUnitAndRejectsJunk) {
  for (const char* bad : {"", "10", "s", "-1s", "1.5s", "10 s", "10sec", "99999999999999999999d"})
    EXPECT_FALSE(parse_duration(bad)) << bad;
}

TEST(Duration, FormatsTheShortestExactSpelling) {
  EXPECT_EQ(format_duration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(minutes(2)), "2m");
  EXPECT_EQ(format_duration(hours(24 * 30)), "30d");
  EXPECT_EQ(format_duration(milliseconds(0)), "0ms");
}

}  // namespace
}  // namespace keyrelay::core
