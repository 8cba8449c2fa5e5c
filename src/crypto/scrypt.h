#pragma once
// scrypt (RFC 7914): the memory-hard key derivation for keys made from a passphrase (sealed
// backups with --passphrase-file). OpenSSL 3.0's EVP_KDF "SCRYPT"; no extra library.
// Thread-safe (each call has its own context).

#include <cstddef>
#include <cstdint>

#include "core/bytes.h"
#include "core/result.h"
#include "core/secret.h"

namespace keyrelay::crypto {

struct ScryptParams {
  std::uint8_t log2_n = 17;  // N = 2^17: 128 MiB with r = 8 (128 * r * N bytes)
  std::uint32_t r = 8;
  std::uint32_t p = 1;
};

// The most memory a derivation may take (a backup's header chooses the parameters; a hostile one
// must not make keyrelay allocate without bound): 1 GiB.
inline constexpr std::uint64_t kScryptMaxMemory = std::uint64_t{1} << 30;

// The memory scrypt takes with `params`: 128 * r * N bytes (plus p * 128 * r).
std::uint64_t scrypt_memory(const ScryptParams& params) noexcept;

// Derives `size` (1..1024) bytes from `passphrase` and `salt`. invalid_request for an empty
// passphrase, log2_n outside 1..24, r or p of 0, or memory above kScryptMaxMemory;
// unavailable when OpenSSL fails (no scrypt, no memory).
core::Result<core::Secret> scrypt(core::ByteView passphrase, core::ByteView salt, const ScryptParams& params,
                                  std::size_t size);

}  // namespace keyrelay::crypto
