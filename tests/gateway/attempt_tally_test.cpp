// AttemptTally::final_error(): what a gateway request answers when every key failed.

#include "gateway/attempt_tally.h"

#include <gtest/gtest.h>

namespace keyrelay::gateway {
namespace {

using core::Errc;

// A key that could not be decrypted for a transient reason (OpenSSL failed, a master version not
// loaded yet) is fine: when nothing else could serve, the answer is 503 (retry), not 502.
TEST(AttemptTally, KeysThatCannotBeDecryptedRightNowMakeTheRequestUnavailable) {
  AttemptTally tally;
  tally.attempts = 2;
  tally.unavailable = 2;
  tally.reasons = {"openai key 'a': cannot be decrypted right now", "openai key 'b': cannot be decrypted right now"};
  const auto error = tally.final_error();
  EXPECT_EQ(error.code, Errc::unavailable) << error.message;
  EXPECT_NE(error.message.find("key 'b'"), std::string::npos) << error.message;

  // With another kind of failure among them, the provider side failed: 502 as before.
  tally.attempts = 3;
  tally.other_failures = 1;
  tally.reasons.emplace_back("openai key 'c': provider error 500");
  EXPECT_EQ(tally.final_error().code, Errc::upstream_error);
}

}  // namespace
}  // namespace keyrelay::gateway
