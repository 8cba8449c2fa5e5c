#include "http/request_id.h"

#include <gtest/gtest.h>

#include "core/ids.h"

namespace keyrelay::http {
namespace {

TEST(RequestId, AcceptsShortSafeIds) {
  EXPECT_TRUE(is_valid_request_id("abc-1"));
  EXPECT_TRUE(is_valid_request_id("A.b_c-9"));
  EXPECT_TRUE(is_valid_request_id(std::string(128, 'x')));
  EXPECT_EQ(choose_request_id("trace-42"), "trace-42");
}

TEST(RequestId, ReplacesEmptyLongOrUnsafeIds) {
  for (const std::string& bad : {std::string(), std::string(129, 'x'), std::string("has space"),
                                std::string("new\nline"), std::string("quote\""), std::string("ünï")}) {
    EXPECT_FALSE(is_valid_request_id(bad)) << bad;
    const std::string chosen = choose_request_id(bad);
    EXPECT_TRUE(core::is_uuid(chosen)) << chosen;
  }
}

}  // namespace
}  // namespace keyrelay::http
