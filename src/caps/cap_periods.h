#pragma once
// The UTC periods a cap counts in: the day and the month a moment falls in, and when each resets.

#include <string>

#include "store/records.h"

namespace keyrelay::caps {

enum class Period { day, month };
std::string_view period_name(Period period) noexcept;  // "daily", "monthly"

struct PeriodBounds {
  std::string first_day;      // YYYY-MM-DD, UTC: the period's first day (a day's is itself)
  std::string last_day;       // YYYY-MM-DD, UTC: its last day
  store::TimePoint starts_at;  // 00:00:00Z of first_day
  store::TimePoint resets_at;  // 00:00:00Z after last_day: when the next period starts
  // A name for the period that changes when it rolls over ("2026-01-31", "2026-01").
  std::string id;
};

// The day or month (UTC) that `at` falls in.
PeriodBounds period_of(Period period, store::TimePoint at);

// Whole seconds from `now` to `later`, at least 1 (a Retry-After).
long long seconds_until(store::TimePoint now, store::TimePoint later) noexcept;

}  // namespace keyrelay::caps
