#include "caps/cap_periods.h"

#include <chrono>
#include <cstdio>

namespace keyrelay::caps {

namespace {

using namespace std::chrono;

std::string day_text(year_month_day d) {
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return text;
}

store::TimePoint midnight(year_month_day d) {
  return time_point_cast<store::TimePoint::duration>(sys_days(d));
}

}  // namespace

std::string_view period_name(Period period) noexcept { return period == Period::day ? "daily" : "monthly"; }

PeriodBounds period_of(Period period, store::TimePoint at) {
  const year_month_day today{floor<days>(at)};  // floor: a time before 1970 stays on its own day
  PeriodBounds b;
  if (period == Period::day) {
    b.first_day = b.last_day = b.id = day_text(today);
    b.starts_at = midnight(today);
    b.resets_at = midnight(year_month_day{sys_days(today) + days{1}});
    return b;
  }
  const year_month_day first{today.year(), today.month(), day{1}};
  const year_month_day last{year_month_day_last{today.year(), month_day_last{today.month()}}};
  b.first_day = day_text(first);
  b.last_day = day_text(last);
  b.id = b.first_day.substr(0, 7);
  b.starts_at = midnight(first);
  b.resets_at = midnight(year_month_day{sys_days(last) + days{1}});
  return b;
}

long long seconds_until(store::TimePoint now, store::TimePoint later) noexcept {
  const auto left = ceil<seconds>(later - now).count();
  return left < 1 ? 1 : left;
}

}  // namespace keyrelay::caps
