#include "core/time_format.h"

#include <cstdio>

namespace keyrelay::core {
namespace {

using namespace std::chrono;

bool read_digits(std::string_view s, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

std::string format_rfc3339(system_clock::time_point t) {
  const auto ms_total = duration_cast<milliseconds>(t.time_since_epoch());
  auto day = floor<days>(ms_total);
  auto ms_of_day = ms_total - day;
  if (ms_of_day < milliseconds::zero()) {
    day -= days{1};
    ms_of_day += days{1};
  }
  const year_month_day ymd{sys_days{day}};
  const hh_mm_ss hms{ms_of_day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
  return buf;
}

std::optional<system_clock::time_point> parse_rfc3339(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (!read_digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !read_digits(s, 5, 2, mo) ||
      s[7] != '-' || !read_digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') ||
      !read_digits(s, 11, 2, h) || s[13] != ':' || !read_digits(s, 14, 2, mi) || s[16] != ':' ||
      !read_digits(s, 17, 2, sec))
    return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 59) return std::nullopt;

  std::size_t pos = 19;
  nanoseconds fraction{0};
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    long long scale = 100'000'000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      fraction += nanoseconds{(s[pos] - '0') * scale};
      scale /= 10;
      ++pos;
    }
    if (pos == start || pos - start > 9) return std::nullopt;
  }
  if (pos >= s.size()) return std::nullopt;
  minutes offset{0};
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!read_digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !read_digits(s, pos + 4, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset = hours{oh} + minutes{om};
    if (s[pos] == '-') offset = -offset;
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  // In whole seconds first: no four-digit year overflows them, while system_clock's nanoseconds
  // end in April 2262 (and begin in September 1677). A time outside is refused, not wrapped.
  const sys_seconds at = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} - offset;
  constexpr seconds kFirst = ceil<seconds>(system_clock::duration::min());
  constexpr seconds kLast = floor<seconds>(system_clock::duration::max()) - seconds{1};  // room for the fraction
  if (at.time_since_epoch() < kFirst || at.time_since_epoch() > kLast) return std::nullopt;
  return time_point_cast<system_clock::duration>(at) + duration_cast<system_clock::duration>(fraction);
}

}  // namespace keyrelay::core
