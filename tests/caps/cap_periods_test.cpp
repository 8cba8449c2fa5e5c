#include "caps/cap_periods.h"

#include <gtest/gtest.h>

#include "core/time_format.h"

namespace keyrelay::caps {
namespace {

store::TimePoint t(const std::string& rfc3339) { return *core::parse_rfc3339(rfc3339); }

TEST(CapPeriods, ADayRunsFromUtcMidnightToTheNext) {
  auto d = period_of(Period::day, t("2026-03-31T23:59:59.999Z"));
  EXPECT_EQ(d.first_day, "2026-03-31");
  EXPECT_EQ(d.last_day, "2026-03-31");
  EXPECT_EQ(d.id, "2026-03-31");
  EXPECT_EQ(d.starts_at, t("2026-03-31T00:00:00Z"));
  EXPECT_EQ(d.resets_at, t("2026-04-01T00:00:00Z"));
  EXPECT_EQ(period_of(Period::day, t("2026-04-01T00:00:00Z")).id, "2026-04-01");
}

TEST(CapPeriods, AMonthRunsFromItsFirstToItsLastDayLeapYearsIncluded) {
  auto feb = period_of(Period::month, t("2028-02-15T12:00:00Z"));
  EXPECT_EQ(feb.first_day, "2028-02-01");
  EXPECT_EQ(feb.last_day, "2028-02-29");
  EXPECT_EQ(feb.id, "2028-02");
  EXPECT_EQ(feb.resets_at, t("2028-03-01T00:00:00Z"));
  auto dec = period_of(Period::month, t("2026-12-31T23:00:00Z"));
  EXPECT_EQ(dec.last_day, "2026-12-31");
  EXPECT_EQ(dec.resets_at, t("2027-01-01T00:00:00Z"));
}

TEST(CapPeriods, SecondsUntilRoundsUpAndIsAtLeastOne) {
  EXPECT_EQ(seconds_until(t("2026-01-01T23:59:58.500Z"), t("2026-01-02T00:00:00Z")), 2);
  EXPECT_EQ(seconds_until(t("2026-01-02T00:00:00Z"), t("2026-01-02T00:00:00Z")), 1);
  EXPECT_EQ(seconds_until(t("2026-01-02T00:00:05Z"), t("2026-01-02T00:00:00Z")), 1);
}

}  // namespace
}  // namespace keyrelay::caps
