#include "auth/jwks_refresh_policy.h"

#include <gtest/gtest.h>

namespace keyrelay::auth {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using SystemTime = std::chrono::system_clock::time_point;

// 2027-01-15T10:00:00Z
const SystemTime kNow = std::chrono::sys_days(std::chrono::year(2027) / 1 / 15) + hours(10);
const JwksRefreshPolicy kPolicy;  // 5 min .. 24 h, 1 h without headers

seconds delay(std::optional<std::string_view> cache_control, std::optional<std::string_view> expires = std::nullopt) {
  return jwks_refresh_delay(cache_control, expires, kNow, kPolicy);
}

TEST(JwksRefreshPolicy, DefaultsAreFiveMinutesToADayAndHourlyWithoutHeaders) {
  EXPECT_EQ(kPolicy.min_refresh, minutes(5));
  EXPECT_EQ(kPolicy.max_refresh, hours(24));
  EXPECT_EQ(kPolicy.without_headers, hours(1));
  EXPECT_EQ(kPolicy.after_failure, minutes(5));
  EXPECT_EQ(delay(std::nullopt), hours(1));
}

TEST(JwksRefreshPolicy, MaxAgeSetsTheDelay) {
  EXPECT_EQ(delay("max-age=600"), seconds(600));
  EXPECT_EQ(delay("public, max-age=7200, must-revalidate"), seconds(7200));
  EXPECT_EQ(delay("Public,MAX-AGE=\"900\""), seconds(900));
}

TEST(JwksRefreshPolicy, DelaysAreClampedToTheBounds) {
  EXPECT_EQ(delay("max-age=1"), minutes(5)) << "a key set that wants a fetch per second gets one per 5 minutes";
  EXPECT_EQ(delay("max-age=0"), minutes(5));
  EXPECT_EQ(delay("max-age=31536000"), hours(24)) << "a year is still checked daily";
  EXPECT_EQ(delay("max-age=99999999999999999999"), hours(24)) << "a number too big for any integer";
}

TEST(JwksRefreshPolicy, NoStoreAndNoCacheMeanTheLowerBound) {
  EXPECT_EQ(delay("no-store"), minutes(5));
  EXPECT_EQ(delay("no-cache, max-age=3600"), minutes(5));
  EXPECT_EQ(delay("max-age=3600, No-Store"), minutes(5));
}

TEST(JwksRefreshPolicy, ExpiresCountsFromNow) {
  EXPECT_EQ(delay(std::nullopt, "Fri, 15 Jan 2027 12:30:00 GMT"), minutes(150));
  EXPECT_EQ(delay(std::nullopt, "Sat, 16 Jan 2027 09:59:59 GMT"), hours(24) - seconds(1));
  EXPECT_EQ(delay(std::nullopt, "Tue, 19 Jan 2027 10:00:00 GMT"), hours(24)) << "clamped";
  EXPECT_EQ(delay(std::nullopt, "Fri, 15 Jan 2027 10:01:00 GMT"), minutes(5)) << "clamped";
}

TEST(JwksRefreshPolicy, AnExpiresInThePastOrUnreadableCountsAsExpired) {
  EXPECT_EQ(delay(std::nullopt, "Thu, 01 Jan 1970 00:00:00 GMT"), minutes(5));
  EXPECT_EQ(delay(std::nullopt, "0"), minutes(5));
  EXPECT_EQ(delay(std::nullopt, "Friday, 15-Jan-27 12:30:00 GMT"), minutes(5)) << "obsolete formats are not read";
}

TEST(JwksRefreshPolicy, MaxAgeWinsOverExpires) {
  EXPECT_EQ(delay("max-age=600", "Fri, 15 Jan 2027 20:00:00 GMT"), seconds(600));
  // A Cache-Control without max-age leaves Expires in charge.
  EXPECT_EQ(delay("public", "Fri, 15 Jan 2027 12:00:00 GMT"), hours(2));
}

TEST(JwksRefreshPolicy, AMalformedMaxAgeIsIgnored) {
  EXPECT_EQ(delay("max-age=-5"), hours(1));
  EXPECT_EQ(delay("max-age=1.5"), hours(1));
  EXPECT_EQ(delay("max-age="), hours(1));
  EXPECT_EQ(delay("max-age"), hours(1));
  EXPECT_EQ(delay("s-maxage=600"), hours(1)) << "for shared caches, not for us";
}

TEST(JwksRefreshPolicy, BoundsComeFromThePolicy) {
  JwksRefreshPolicy tight{.min_refresh = seconds(10), .max_refresh = seconds(60), .without_headers = seconds(30)};
  EXPECT_EQ(jwks_refresh_delay("max-age=1", std::nullopt, kNow, tight), seconds(10));
  EXPECT_EQ(jwks_refresh_delay("max-age=45", std::nullopt, kNow, tight), seconds(45));
  EXPECT_EQ(jwks_refresh_delay("max-age=600", std::nullopt, kNow, tight), seconds(60));
  EXPECT_EQ(jwks_refresh_delay(std::nullopt, std::nullopt, kNow, tight), seconds(30));
}

TEST(HttpDate, ReadsImfFixdate) {
  auto t = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->time_since_epoch(), seconds(784111777));
  EXPECT_TRUE(parse_http_date(" Mon, 29 Feb 2027 00:00:00 GMT ") == std::nullopt) << "2027 is no leap year";
  EXPECT_TRUE(parse_http_date("Tue, 29 Feb 2028 23:59:59 GMT"));
  for (const char* bad : {"", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 24:00:00 GMT",
                          "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
                          "Sun, 06 Nov 1994 08:49:37 GMTX", "Sun, 0x Nov 1994 08:49:37 GMT"})
    EXPECT_FALSE(parse_http_date(bad)) << bad;
}

}  // namespace
}  // namespace keyrelay::auth
