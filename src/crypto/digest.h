#pragma once
// SHA-256 of a byte string (audit hash chain, token hashes). Thread-safe (pure function).

#include <array>
#include <cstdint>

#include "core/bytes.h"

namespace keyrelay::crypto {

// A SHA-256 or HMAC-SHA256 output.
using Digest = std::array<std::uint8_t, 32>;

// SHA-256 of `data`. Cannot fail: an OpenSSL failure here means memory exhaustion and aborts.
Digest sha256(core::ByteView data);

}  // namespace keyrelay::crypto
