#include "core/utf8.h"

#include <gtest/gtest.h>

namespace keyrelay::core {
namespace {

TEST(Utf8, AcceptsWellFormedText) {
  for (const char* ok : {"", "plain ascii", "caf\xc3\xa9", "\xe2\x82\xac 5", "\xf0\x9f\x94\x91 key", "\xf4\x8f\xbf\xbf",
                         "\xed\x9f\xbf"}) {
    EXPECT_TRUE(is_valid_utf8(ok)) << ok;
    EXPECT_EQ(to_valid_utf8(ok), ok);
  }
}

TEST(Utf8, RefusesWhatRfc3629Forbids) {
  for (const char* bad : {"\xff", "\x80", "\xc3", "\xe2\x82", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
                          "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "a\xc3(b"}) {
    EXPECT_FALSE(is_valid_utf8(bad)) << bad;
  }
}

TEST(Utf8, ReplacesEachBadByteAndKeepsTheRest) {
  EXPECT_EQ(to_valid_utf8("a\xff" "b"), "a\xef\xbf\xbd" "b");
  EXPECT_EQ(to_valid_utf8("caf\xc3\xa9 \xe2\x82"), "caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(to_valid_utf8("\xc3(\xc3\xa9"), "\xef\xbf\xbd(\xc3\xa9");
}

}  // namespace
}  // namespace keyrelay::core
