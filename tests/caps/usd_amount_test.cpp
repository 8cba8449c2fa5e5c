#include "caps/usd_amount.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace keyrelay::caps {
namespace {

TEST(UsdAmount, WholeMicroDollarsConvertExactly) {
  EXPECT_EQ(*micro_usd_from_usd(5, "daily_usd"), 5'000'000);
  EXPECT_EQ(*micro_usd_from_usd(0, "daily_usd"), 0);
  EXPECT_EQ(*micro_usd_from_usd(0.000001, "daily_usd"), 1);
  EXPECT_EQ(*micro_usd_from_usd(100.123456, "daily_usd"), 100'123'456);
  EXPECT_EQ(*micro_usd_from_usd(0.1, "daily_usd"), 100'000);
  EXPECT_EQ(*micro_usd_from_usd(999999.999999, "daily_usd"), 999'999'999'999);
}

TEST(UsdAmount, NegativeNonFiniteTooPreciseOrTooLargeAmountsAreRefusedNamingTheField) {
  for (double bad : {-0.01, 1.1234567, 0.0000005, std::nan(""), std::numeric_limits<double>::infinity(), 2e9}) {
    auto r = micro_usd_from_usd(bad, "field 'daily_usd'");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, core::Errc::invalid_request);
    EXPECT_NE(r.error().message.find("daily_usd"), std::string::npos) << r.error().message;
  }
}

TEST(UsdAmount, FormatsWithTwoToSixDecimals) {
  EXPECT_EQ(format_usd(5'000'000), "$5.00");
  EXPECT_EQ(format_usd(125'000), "$0.125");
  EXPECT_EQ(format_usd(1), "$0.000001");
  EXPECT_EQ(format_usd(1'234'500'000), "$1234.50");
  EXPECT_DOUBLE_EQ(usd_from_micro(100'123'456), 100.123456);
}

}  // namespace
}  // namespace keyrelay::caps
