#pragma once
// The behaviour keyword a key carries: the text after its last '-' (the whole key when it has
// none). What each keyword does is documented in providers.h.

#include <chrono>
#include <string_view>

namespace keyrelay::mock {

enum class Keyword { valid, invalid, limited, quota, error, slow, reset, cut, drip, overloaded, echo, broken, denied, leaky };

struct Behaviour {
  Keyword keyword = Keyword::valid;
  int retry_after_seconds = 7;           // limited (7), limited<N> (N)
  std::chrono::milliseconds delay{0};    // slow (3 s), slow<ms>
  std::chrono::milliseconds stream_length{0};  // drip<ms>: the whole stream spread over this long
};

// Fixed timings of the keywords.
inline constexpr int kDefaultRetryAfterSeconds = 7;
inline constexpr std::chrono::milliseconds kSlowDelay{3000};
inline constexpr std::chrono::milliseconds kDripGap{250};

// The text after the last '-' of `key`, or the whole key.
std::string_view behaviour_of(std::string_view key);

// The behaviour of `key`. "limited<N>", "slow<N>" and "drip<N>" take a decimal number (N ≤ 600 s for
// limited, ≤ 600000 ms for slow and drip); any word not listed in Keyword, or a number out of range,
// means valid.
Behaviour parse_behaviour(std::string_view key);

}  // namespace keyrelay::mock
