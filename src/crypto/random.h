#pragma once
// Cryptographically secure random bytes from OpenSSL's DRBG (RAND_bytes), for keys, nonces and
// salts. Thread-safe: OpenSSL keeps one DRBG per thread.

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/bytes.h"
#include "core/result.h"
#include "core/secret.h"

namespace keyrelay::crypto {

// Fills `out` with random bytes. Errc::internal if the DRBG cannot be seeded; `out` is then wiped,
// never left half-filled with usable randomness. An empty span succeeds.
core::Result<void> fill_random(std::span<std::uint8_t> out);

// `size` random bytes that are not secret (nonces, salts). Errc::internal as fill_random.
core::Result<core::Bytes> random_bytes(std::size_t size);

// `size` random bytes that are key material, in a wiped-on-destruction buffer.
// Errc::internal as fill_random.
core::Result<core::Secret> random_secret(std::size_t size);

}  // namespace keyrelay::crypto
