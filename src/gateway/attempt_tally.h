#pragma once
// What the failed attempts of one dispatch add up to, for its final error and the
// X-Keyrelay-Attempts header.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace keyrelay::gateway {

struct AttemptTally {
  int attempts = 0;        // keys actually called
  int rate_limited = 0;
  int timeouts = 0;
  int other_failures = 0;  // transport errors, 5xx, out of credit, bad keys, tampered secrets
  int unavailable = 0;     // keys that could not be decrypted right now (transient; the key is fine)
  std::optional<std::chrono::seconds> min_retry_after;
  std::vector<std::string> reasons;  // "anthropic key 'work': rate limited", for the final message
  std::vector<std::string> skipped;  // keys skipped because their circuit is open
  // The client's streamed body failed (cut, too slow, too large): the answer is about the client,
  // not about any key, so no key's circuit counts it.
  std::optional<core::Error> client_body_error;
  // The first key a spend cap refused (spend_cap_exceeded) or whose spend state could not be read
  // (unavailable): when no key was called at all, this is the dispatch's error.
  std::optional<core::Error> spend_refusal;

  // The error when every attempt failed: the client's body error if there was one; no key called
  // because spend caps refused them → that refusal; all 429 →
  // rate_limited (smallest Retry-After); all timed out → upstream_timeout; none could be decrypted
  // right now → unavailable; otherwise upstream_error.
  core::Error final_error() const;
};

}  // namespace keyrelay::gateway
