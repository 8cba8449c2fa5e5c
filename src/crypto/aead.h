#pragma once
// AES-256-GCM with a 128-bit tag: the only AEAD of keyrelay.
//
// Two layers:
//  - gcm_encrypt / gcm_decrypt: the raw cipher with an explicit IV (1..128 bytes), for the
//    published test vectors and for code that manages its own nonces.
//  - seal / open: the vault format `0x01 || nonce(12, random) || ciphertext || tag(16)`.
//    seal draws a fresh random nonce for every call, so callers never handle nonces.
// All functions are thread-safe (the cipher object is fetched once and shared read-only).
//
// Error policy: bad parameters (key, IV or tag of the wrong size) are Errc::invalid_request; data
// that fails authentication or is malformed is Errc::internal with a fixed message that never
// contains key bytes or plaintext, and no plaintext is released; OpenSSL failing to do its part (no
// memory for a context, a provider error) is Errc::unavailable — transient, and never taken for
// data that failed authentication.

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/bytes.h"
#include "core/result.h"
#include "core/secret.h"

namespace keyrelay::crypto {

inline constexpr std::size_t kAeadKeySize = 32;
inline constexpr std::size_t kGcmNonceSize = 12;
inline constexpr std::size_t kGcmTagSize = 16;
inline constexpr std::size_t kGcmMaxIvSize = 128;  // OpenSSL 3.0's limit for EVP_CTRL_GCM_SET_IVLEN

// The format byte that starts every sealed blob.
inline constexpr std::uint8_t kSealedFormatV1 = 0x01;
// Bytes that seal() adds to the plaintext: format byte, nonce and tag.
inline constexpr std::size_t kSealedOverhead = 1 + kGcmNonceSize + kGcmTagSize;

struct GcmOutput {
  core::Bytes ciphertext;  // same length as the plaintext
  std::array<std::uint8_t, kGcmTagSize> tag{};
};

// Encrypts `plaintext` under `key` (32 bytes) with the explicit `iv` (1..128 bytes) and
// authenticates `aad`. Errc::invalid_request for a key that is not 32 bytes, an IV that is empty or
// longer than 128 bytes, or a plaintext or AAD over 2 GiB; Errc::unavailable when OpenSSL fails.
// The caller must never reuse (key, iv).
core::Result<GcmOutput> gcm_encrypt(core::ByteView key, core::ByteView iv, core::ByteView aad,
                                    core::ByteView plaintext);

// Verifies and decrypts. Errc::invalid_request for the size errors of gcm_encrypt and for a tag
// that is not 16 bytes; Errc::internal "data failed authentication" when the tag does not match, in
// which case the partial output is wiped and nothing is returned; Errc::unavailable when OpenSSL fails.
core::Result<core::Secret> gcm_decrypt(core::ByteView key, core::ByteView iv, core::ByteView aad,
                                       core::ByteView ciphertext, core::ByteView tag);

// Seals `plaintext` in the vault format under `key` (32 bytes) with a fresh random 12-byte nonce.
// The result is kSealedOverhead bytes longer than `plaintext`. Errc::invalid_request for a wrong
// key size; Errc::internal if the random generator fails; Errc::unavailable when OpenSSL fails.
core::Result<core::Bytes> seal(core::ByteView key, core::ByteView aad, core::ByteView plaintext);

// Opens a blob made by seal() with the same key and AAD. Errc::invalid_request for a wrong key
// size; Errc::internal for a blob that is shorter than kSealedOverhead, starts with an unknown
// format byte or fails authentication; Errc::unavailable when OpenSSL fails.
core::Result<core::Secret> open(core::ByteView key, core::ByteView aad, core::ByteView sealed);

}  // namespace keyrelay::crypto
