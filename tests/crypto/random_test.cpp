#include "crypto/random.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>

namespace keyrelay::crypto {
namespace {

TEST(Random, RandomBytesHaveTheRequestedSize) {
  for (std::size_t size : {0u, 1u, 12u, 32u, 1000u}) {
    auto bytes = random_bytes(size);
    ASSERT_TRUE(bytes);
    EXPECT_EQ(bytes->size(), size);
  }
}

TEST(Random, TwoDrawsDiffer) {
  auto a = random_bytes(32);
  auto b = random_bytes(32);
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
}

TEST(Random, RandomSecretHasTheRequestedSizeAndIsNotAllZero) {
  auto secret = random_secret(32);
  ASSERT_TRUE(secret);
  EXPECT_EQ(secret->size(), 32u);
  const auto bytes = secret->reveal();
  EXPECT_TRUE(std::any_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b != 0; }));
  auto other = random_secret(32);
  ASSERT_TRUE(other);
  EXPECT_FALSE(secret->equals(*other));
}

TEST(Random, FillRandomFillsTheWholeSpan) {
  std::array<std::uint8_t, 4096> buffer{};
  ASSERT_TRUE(fill_random(buffer));
  // A uniform byte is 0 with probability 1/256: about 16 zeros are expected, 200 never happen.
  EXPECT_LT(std::count(buffer.begin(), buffer.end(), 0), 200);
  // The tail is written too, not only the start.
  EXPECT_TRUE(std::any_of(buffer.end() - 64, buffer.end(), [](std::uint8_t b) { return b != 0; }));
}

TEST(Random, FillRandomAcceptsAnEmptySpan) {
  EXPECT_TRUE(fill_random(std::span<std::uint8_t>()));
  auto empty = random_secret(0);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace keyrelay::crypto
