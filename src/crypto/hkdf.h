#pragma once
// HKDF-SHA256 (RFC 5869, extract-then-expand) for deriving per-user keys from a master key.
// Thread-safe: the KDF object is fetched once and each call uses its own context.

#include <cstddef>

#include "core/bytes.h"
#include "core/result.h"
#include "core/secret.h"

namespace keyrelay::crypto {

// The largest output HKDF-SHA256 can give: 255 blocks of 32 bytes.
inline constexpr std::size_t kHkdfSha256MaxSize = 255 * 32;

// Derives `size` bytes from `ikm`. An empty `salt` means "no salt", which RFC 5869 defines as 32
// zero bytes; an empty `info` is allowed. Errc::invalid_request for `size` 0 or above 8160, or an
// empty `ikm`; Errc::unavailable when OpenSSL fails (no HKDF, no memory for a context).
core::Result<core::Secret> hkdf_sha256(core::ByteView ikm, core::ByteView salt, core::ByteView info,
                                       std::size_t size);

}  // namespace keyrelay::crypto
