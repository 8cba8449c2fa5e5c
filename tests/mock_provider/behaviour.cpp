#include "behaviour.h"

#include <array>
#include <charconv>
#include <utility>

namespace keyrelay::mock {
namespace {

constexpr std::array<std::pair<std::string_view, Keyword>, 13> kWords = {{
    {"invalid", Keyword::invalid},
    {"limited", Keyword::limited},
    {"quota", Keyword::quota},
    {"error", Keyword::error},
    {"slow", Keyword::slow},
    {"reset", Keyword::reset},
    {"cut", Keyword::cut},
    {"drip", Keyword::drip},
    {"overloaded", Keyword::overloaded},
    {"echo", Keyword::echo},
    {"broken", Keyword::broken},
    {"denied", Keyword::denied},
    {"leaky", Keyword::leaky},
}};

// "slow1500" → ("slow", "1500"); a word without trailing digits → (word, "").
std::pair<std::string_view, std::string_view> split_number(std::string_view word) {
  std::size_t end = word.size();
  while (end > 0 && word[end - 1] >= '0' && word[end - 1] <= '9') --end;
  return {word.substr(0, end), word.substr(end)};
}

}  // namespace

std::string_view behaviour_of(std::string_view key) {
  const auto dash = key.rfind('-');
  return dash == std::string_view::npos ? key : key.substr(dash + 1);
}

Behaviour parse_behaviour(std::string_view key) {
  const std::string_view word = behaviour_of(key);
  Behaviour b;
  for (const auto& [name, keyword] : kWords) {
    if (word == name) {
      b.keyword = keyword;
      if (keyword == Keyword::slow) b.delay = kSlowDelay;
      return b;
    }
  }
  const auto [name, digits] = split_number(word);
  if (digits.empty() || digits.size() > 6) return b;
  int value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (name == "limited" && value <= 600) {
    b.keyword = Keyword::limited;
    b.retry_after_seconds = value;
  } else if (name == "slow" && value <= 600000) {
    b.keyword = Keyword::slow;
    b.delay = std::chrono::milliseconds{value};
  } else if (name == "drip" && value <= 600000) {
    b.keyword = Keyword::drip;
    b.stream_length = std::chrono::milliseconds{value};
  }
  return b;
}

}  // namespace keyrelay::mock
