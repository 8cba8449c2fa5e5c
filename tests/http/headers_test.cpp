#include "http/headers.h"

#include <gtest/gtest.h>

namespace keyrelay::http {
namespace {

TEST(Headers, LookupIgnoresCase) {
  Headers h;
  h.add("Content-Type", "application/json");
  EXPECT_EQ(h.get("content-type"), "application/json");
  EXPECT_EQ(h.get("CONTENT-TYPE"), "application/json");
  EXPECT_FALSE(h.get("Content-Length"));
}

TEST(Headers, SetReplacesEveryFieldOfThatName) {
  Headers h;
  h.add("X-A", "1");
  h.add("x-a", "2");
  h.set("X-A", "3");
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(h.get("x-a"), "3");
}

TEST(Headers, RemoveDropsTheField) {
  Headers h;
  h.add("Cookie", "a=b");
  h.add("Accept", "*/*");
  h.remove("cookie");
  EXPECT_FALSE(h.contains("Cookie"));
  EXPECT_TRUE(h.contains("Accept"));
}

}  // namespace
}  // namespace keyrelay::http
