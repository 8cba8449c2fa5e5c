#pragma once
// Takes a fuzz input apart the way the targets frame it: a leading selector byte, then fields ended
// by a delimiter, then the rest. Missing parts read as empty, so every input is valid framing.
// The seeds in corpus/ are written in the same framing (see seed_corpus.py).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace keyrelay::fuzz {

class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

  // The next byte (0 when none is left).
  unsigned char byte() {
    if (rest_.empty()) return 0;
    const auto b = static_cast<unsigned char>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }

  // The text up to the next `delimiter`, which is consumed too; everything left when there is none.
  std::string_view until(std::string_view delimiter) {
    const auto end = rest_.find(delimiter);
    const std::string_view field = rest_.substr(0, end);
    rest_.remove_prefix(end == std::string_view::npos ? rest_.size() : end + delimiter.size());
    return field;
  }

  std::string_view rest() {
    const std::string_view all = rest_;
    rest_ = {};
    return all;
  }

  bool empty() const noexcept { return rest_.empty(); }

 private:
  std::string_view rest_;
};

// `text` cut into pieces of 1 to 32 bytes whose sizes follow from `seed`, so a streaming parser
// sees one input split at many different places.
inline std::vector<std::string_view> pieces(std::string_view text, unsigned char seed) {
  std::vector<std::string_view> out;
  std::uint32_t state = seed * 2654435761u + 1;
  while (!text.empty()) {
    state = state * 1103515245u + 12345u;
    const std::size_t n = 1 + (state >> 16) % 32;
    out.push_back(text.substr(0, n));
    text.remove_prefix(out.back().size());
  }
  return out;
}

// True when `text` is a JSON document that a strict parser (UTF-8 checked) accepts.
inline bool is_json(std::string_view text) {
  boost::system::error_code ec;
  boost::json::parse(text, ec);
  return !ec;
}

// True when `text` is valid UTF-8, so that it can go into a JSON answer as it is.
inline bool is_utf8(std::string_view text) { return is_json(boost::json::serialize(boost::json::value(text))); }

// The values written right after `name = "` (or `name='`, blanks around '=' allowed) in a TOML
// text, or after `"name": "` in JSON with `separator` ':': what a file or body gives a secret.
// Only values of 16+ characters, which no message would contain by chance.
inline std::vector<std::string_view> quoted_values_of(std::string_view text, std::string_view name,
                                                      char separator = '=') {
  std::vector<std::string_view> out;
  for (auto at = text.find(name); at != std::string_view::npos; at = text.find(name, at + 1)) {
    std::string_view rest = text.substr(at + name.size());
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    if (!rest.starts_with(separator)) continue;
    rest.remove_prefix(1);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    if (rest.empty() || (rest.front() != '"' && rest.front() != '\'')) continue;
    const char quote = rest.front();
    rest.remove_prefix(1);
    const std::string_view value = rest.substr(0, rest.find_first_of(std::string{quote, '\n'}));
    if (value.size() >= 16) out.push_back(value);
  }
  return out;
}

// Checks of the kind "this message never repeats that secret" compare a message with input text.
// They are compiled without coverage feedback: libFuzzer learns from comparisons, and would copy
// the message's words into the secret until the check reports its own echo.
#if defined(__clang__)
#define KEYRELAY_FUZZ_UNTRACED __attribute__((no_sanitize("coverage"), noinline))
#else
#define KEYRELAY_FUZZ_UNTRACED __attribute__((noinline))
#endif

// How often `needle` (non-empty) occurs in `text`, counted without memcmp (which libFuzzer traces).
KEYRELAY_FUZZ_UNTRACED inline std::size_t untraced_count(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t i = 0; i + needle.size() <= text.size(); ++i) {
    std::size_t k = 0;
    while (k < needle.size() && text[i + k] == needle[k]) ++k;
    n += k == needle.size() ? 1 : 0;
  }
  return n;
}

// True when `message` repeats `secret`, a value that occurs exactly once in `input` (so the
// message cannot be quoting it as something else: a key name, a header, another value). `path`,
// the file the input was written to, is left out of the message first: messages name their file.
KEYRELAY_FUZZ_UNTRACED inline bool echoes(std::string message, std::string_view secret, std::string_view input,
                                          std::string_view path = {}) {
  if (secret.empty() || untraced_count(input, secret) != 1) return false;
  if (!path.empty())
    for (auto at = message.find(path); at != std::string::npos; at = message.find(path)) message.erase(at, path.size());
  return untraced_count(message, secret) > 0;
}

// A target's own check: a broken invariant aborts, which libFuzzer and the replay report as a
// finding with the input that caused it. (assert() would vanish under NDEBUG.)
#define FUZZ_CHECK(condition)                                                                   \
  do {                                                                                          \
    if (!(condition)) {                                                                         \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #condition);   \
      std::abort();                                                                             \
    }                                                                                           \
  } while (false)

}  // namespace keyrelay::fuzz
