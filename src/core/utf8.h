#pragma once
// UTF-8 checks for text that goes into JSON: error messages may quote client bytes (a request
// target, a decoded query parameter, a model name cut to a length), and a JSON document must be
// UTF-8 for every client to parse it.

#include <string>
#include <string_view>

namespace keyrelay::core {

// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF).
bool is_valid_utf8(std::string_view text) noexcept;

// `text` with every byte that does not belong to a well-formed sequence replaced by U+FFFD
// (the replacement character); `text` unchanged when it is valid.
std::string to_valid_utf8(std::string_view text);

}  // namespace keyrelay::core
