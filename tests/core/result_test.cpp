#include "core/result.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace keyrelay::core {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return Error::invalid_request("must be positive");
  return v;
}

Result<std::string> describe(int v) {
  auto r = parse_positive(v);
  if (!r) return r.error();  // an Error converts to any Result
  return "value " + std::to_string(*r);
}

TEST(Result, HoldsAValue) {
  auto r = parse_positive(3);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, 3);
  EXPECT_EQ(r.value_or(7), 3);
}

TEST(Result, HoldsAnErrorWithItsCode) {
  auto r = parse_positive(-1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_request);
  EXPECT_EQ(r.error().message, "must be positive");
  EXPECT_EQ(r.value_or(7), 7);
}

TEST(Result, PropagatesErrorsAcrossValueTypes) {
  EXPECT_EQ(*describe(2), "value 2");
  EXPECT_EQ(describe(0).error().code, Errc::invalid_request);
}

TEST(Result, MovesMoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 5);
}

TEST(Result, VoidResultReportsSuccessAndFailure) {
  Result<void> good = ok();
  EXPECT_TRUE(good);
  Result<void> bad = Error::conflict("exists");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::conflict);
}

TEST(Error, RateLimitedCarriesRetryAfter) {
  auto e = Error::rate_limited("slow down", std::chrono::seconds(12));
  EXPECT_EQ(e.code, Errc::rate_limited);
  EXPECT_EQ(e.retry_after, std::chrono::seconds(12));
}

TEST(Error, CodesAreSpelledLikeTheWire) {
  EXPECT_EQ(errc_name(Errc::invalid_request), "invalid_request");
  EXPECT_EQ(errc_name(Errc::no_usable_key), "no_usable_key");
  EXPECT_EQ(errc_name(Errc::headers_too_large), "headers_too_large");
  EXPECT_EQ(errc_name(Errc::method_not_allowed), "method_not_allowed");
}

}  // namespace
}  // namespace keyrelay::core
