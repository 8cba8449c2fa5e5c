#include "config/origins.h"

#include <gtest/gtest.h>

namespace keyrelay::config {
namespace {

using Origins = std::vector<std::string>;

TEST(OriginList, TakesExactOriginsSeparatedByCommas) {
  auto parsed = parse_origin_list(" https://app.example.com,http://127.0.0.1:8081 , ,https://app.example.com");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, (Origins{"https://app.example.com", "http://127.0.0.1:8081"}));
  auto none = parse_origin_list("");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(OriginList, RefusesWhatNoBrowserSendsAsAnOrigin) {
  for (const char* bad : {"*", "https://*.example.com", "https://app.example.com/", "https://app.example.com/path",
                          "app.example.com", "ftp://app.example.com", "https://App.Example.com", "https://",
                          "https://app.example.com:", "'self'", "null"}) {
    auto parsed = parse_origin_list(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, core::Errc::invalid_request) << bad;
  }
}

}  // namespace
}  // namespace keyrelay::config
