#include "auth/jwks_refresh_policy.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <string>

namespace keyrelay::auth {
namespace {

using std::chrono::seconds;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Digits only (a sign or a fraction is not a delta-seconds); values beyond a year are capped
// rather than refused, since the policy clamps them anyway.
std::optional<seconds> delta_seconds(std::string_view text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  constexpr long long kCap = 365LL * 24 * 60 * 60;
  if (text.size() > 9) return seconds(kCap);
  long long value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return seconds(std::min(value, kCap));
}

std::optional<int> number(std::string_view text, std::size_t digits) {
  if (text.size() != digits) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::optional<unsigned> month_of(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (unsigned i = 0; i < kMonths.size(); ++i)
    if (kMonths[i] == name) return i + 1;
  return std::nullopt;
}

}  // namespace

std::optional<seconds> cache_control_max_age(std::string_view cache_control) {
  std::optional<seconds> max_age;
  bool uncacheable = false;
  while (!cache_control.empty()) {
    const auto comma = cache_control.find(',');
    const std::string_view directive = trim(cache_control.substr(0, comma));
    cache_control = comma == std::string_view::npos ? std::string_view() : cache_control.substr(comma + 1);
    const auto eq = directive.find('=');
    const std::string_view name = trim(directive.substr(0, eq));
    if (iequals(name, "no-store") || iequals(name, "no-cache")) uncacheable = true;
    if (iequals(name, "max-age") && eq != std::string_view::npos && !max_age)
      max_age = delta_seconds(trim(directive.substr(eq + 1)));
  }
  if (uncacheable) return seconds(0);
  return max_age;
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": fixed positions, 29 characters.
  text = trim(text);
  if (text.size() != 29 || text[3] != ',' || text[4] != ' ' || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':' || text[25] != ' ' || text.substr(26) != "GMT")
    return std::nullopt;
  const auto day = number(text.substr(5, 2), 2);
  const auto month = month_of(text.substr(8, 3));
  const auto year = number(text.substr(12, 4), 4);
  const auto hour = number(text.substr(17, 2), 2);
  const auto minute = number(text.substr(20, 2), 2);
  const auto second = number(text.substr(23, 2), 2);
  if (!day || !month || !year || !hour || !minute || !second) return std::nullopt;
  if (*hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(*year), std::chrono::month(*month),
                                         std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days(date) + std::chrono::hours(*hour) + std::chrono::minutes(*minute) +
         seconds(*second);
}

seconds jwks_refresh_delay(std::optional<std::string_view> cache_control, std::optional<std::string_view> expires,
                           std::chrono::system_clock::time_point now, const JwksRefreshPolicy& policy) {
  std::optional<seconds> wanted;
  if (cache_control) wanted = cache_control_max_age(*cache_control);
  if (!wanted && expires) {
    const auto at = parse_http_date(*expires);
    wanted = at && *at > now ? std::chrono::duration_cast<seconds>(*at - now) : seconds(0);
  }
  if (!wanted) wanted = policy.without_headers;
  return std::clamp(*wanted, policy.min_refresh, policy.max_refresh);
}

}  // namespace keyrelay::auth
