#pragma once
// The input rules for provider keys (API.md "Key"), as pure functions so the API layer and the
// service agree and tests can state them directly. Every failure is invalid_request with a message
// that says what is allowed — and never echoes a secret.

#include <string>
#include <string_view>

#include "core/result.h"
#include "core/secret.h"

namespace keyrelay::vault {

inline constexpr std::size_t kMaxSecretBytes = 4096;
inline constexpr std::size_t kMaxNameLength = 64;
inline constexpr std::size_t kMaxMetadataBytes = 8 * 1024;
inline constexpr std::string_view kDefaultKeyName = "default";

// 1–64 characters of [a-z0-9_-].
core::Result<void> check_key_name(std::string_view name);
// 1–4096 bytes of printable ASCII without whitespace (0x21–0x7e), so it can never inject a header.
core::Result<void> check_secret(const core::Secret& secret);
// "…" + last 4 characters for secrets of 16+ characters, otherwise "…".
std::string secret_hint(const core::Secret& secret);
// A JSON object of at most 8 KiB; returns it re-serialized (canonical spacing).
core::Result<std::string> normalize_metadata(std::string_view json_text);

}  // namespace keyrelay::vault
