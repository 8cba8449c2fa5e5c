#pragma once
// PBKDF2-HMAC-SHA256 (RFC 8018 §5.2): how the Fernet-based systems keyrelay imports from derive
// each user's Fernet key from their master secret (keyrelay import fernet). keyrelay's own keys
// come from HKDF (hkdf.h); PBKDF2 is here only to read what those systems sealed.
// Thread-safe (pure function). Slow by design: 100,000 iterations take tens of milliseconds.

#include <cstddef>
#include <cstdint>

#include "core/bytes.h"
#include "core/result.h"
#include "core/secret.h"

namespace keyrelay::crypto {

// The most iterations a caller may ask for: ten times what the imported systems use, so a typo
// (or a hostile input row) cannot keep a CPU busy for hours.
inline constexpr std::uint32_t kPbkdf2MaxIterations = 10'000'000;

// Derives `size` bytes from `password` (raw bytes, not a C string: any byte, any length, empty too)
// and `salt`. invalid_request for `size` 0 or over 1024, or `iterations` 0 or over
// kPbkdf2MaxIterations; unavailable when OpenSSL fails.
core::Result<core::Secret> pbkdf2_hmac_sha256(core::ByteView password, core::ByteView salt, std::uint32_t iterations,
                                              std::size_t size);

}  // namespace keyrelay::crypto
