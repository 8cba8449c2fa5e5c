#pragma once
// Request ids: a client may send its own X-Request-Id to correlate logs; we accept it only when it
// is short and made of safe characters, so it can never inject into a log line or a header.

#include <string>
#include <string_view>

namespace keyrelay::http {

inline constexpr std::size_t kMaxRequestIdLength = 128;

// 1–128 characters of [A-Za-z0-9._-].
bool is_valid_request_id(std::string_view id) noexcept;
// `incoming` when valid, otherwise a fresh UUIDv7.
std::string choose_request_id(std::string_view incoming);

}  // namespace keyrelay::http
