#pragma once
// HMAC-SHA256 (RFC 2104) for fingerprints and the audit chain. Thread-safe (pure function).

#include "core/bytes.h"
#include "crypto/digest.h"

namespace keyrelay::crypto {

// HMAC-SHA256 of `data` under `key` (any length, including empty). Cannot fail: an OpenSSL failure
// here means memory exhaustion and aborts. Compare MACs with constant_time_equal, never ==.
Digest hmac_sha256(core::ByteView key, core::ByteView data);

}  // namespace keyrelay::crypto
