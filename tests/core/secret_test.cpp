#include "core/secret.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <ostream>
#include <type_traits>
#include <utility>

namespace keyrelay::core {
namespace {

// A Secret must not be printable by any route: no fmt formatter, no operator<<, no copies.
static_assert(!fmt::is_formattable<Secret>::value, "Secret must not be formattable");
static_assert(!std::is_copy_constructible_v<Secret>);
static_assert(!std::is_copy_assignable_v<Secret>);
static_assert(std::is_nothrow_move_constructible_v<Secret>);
static_assert(!std::is_convertible_v<Secret, std::string_view>);

template <class T, class = void>
struct is_streamable : std::false_type {};
template <class T>
struct is_streamable<T, std::void_t<decltype(std::declval<std::ostream&>() << std::declval<const T&>())>>
    : std::true_type {};
static_assert(!is_streamable<Secret>::value, "Secret must not have operator<<");

TEST(Secret, RevealsTheBytesItWasGiven) {
  Secret s(std::string_view("sk-test-123"));
  EXPECT_EQ(s.size(), 11u);
  EXPECT_EQ(s.reveal_text(), "sk-test-123");
}

TEST(Secret, MoveLeavesTheSourceEmpty) {
  Secret a(std::string_view("abc"));
  const auto* before = a.reveal().data();
  Secret b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_EQ(b.reveal_text(), "abc");
  EXPECT_EQ(b.reveal().data(), before) << "a move hands over the buffer without copying it";
}

TEST(Secret, MoveAssignmentReplacesAndEmptiesTheSource) {
  Secret a(std::string_view("first"));
  Secret b(std::string_view("second"));
  a = std::move(b);
  EXPECT_EQ(a.reveal_text(), "second");
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
}

TEST(Secret, WipeEmptiesIt) {
  Secret s(std::string_view("gone"));
  s.wipe();
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.reveal().size(), 0u);
}

TEST(Secret, ComparesByContent) {
  Secret a(std::string_view("same-value"));
  Secret b(std::string_view("same-value"));
  Secret c(std::string_view("same-valuf"));
  Secret d(std::string_view("same"));
  EXPECT_TRUE(a.equals(b));
  EXPECT_FALSE(a.equals(c));
  EXPECT_FALSE(a.equals(d));
  EXPECT_TRUE(Secret().equals(Secret()));
}

TEST(Secret, CloneIsAnIndependentCopy) {
  Secret a(std::string_view("copy-me"));
  Secret b = a.clone();
  a.wipe();
  EXPECT_EQ(b.reveal_text(), "copy-me");
}

TEST(Secret, ZeroedHasTheRequestedSizeAndIsWritable) {
  Secret s = Secret::zeroed(4);
  ASSERT_EQ(s.size(), 4u);
  for (auto b : s.reveal()) EXPECT_EQ(b, 0);
  s.mutable_bytes()[0] = 7;
  EXPECT_EQ(s.reveal()[0], 7);
}

}  // namespace
}  // namespace keyrelay::core
