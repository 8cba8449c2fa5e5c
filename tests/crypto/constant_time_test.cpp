#include "crypto/constant_time.h"

#include <gtest/gtest.h>

namespace keyrelay::crypto {
namespace {

core::Bytes bytes(std::initializer_list<std::uint8_t> list) { return core::Bytes(list); }

TEST(ConstantTime, EqualBytesCompareEqual) {
  EXPECT_TRUE(constant_time_equal(bytes({1, 2, 3}), bytes({1, 2, 3})));
}

TEST(ConstantTime, ADifferenceAnywhereIsFound) {
  EXPECT_FALSE(constant_time_equal(bytes({0, 2, 3}), bytes({1, 2, 3})));
  EXPECT_FALSE(constant_time_equal(bytes({1, 2, 3}), bytes({1, 2, 4})));
}

TEST(ConstantTime, DifferentLengthsAreNotEqual) {
  EXPECT_FALSE(constant_time_equal(bytes({1, 2}), bytes({1, 2, 3})));
  EXPECT_FALSE(constant_time_equal(bytes({}), bytes({0})));
}

TEST(ConstantTime, TwoEmptyViewsAreEqual) {
  EXPECT_TRUE(constant_time_equal(core::ByteView(), core::ByteView()));
}

}  // namespace
}  // namespace keyrelay::crypto
