#pragma once
// Fernet tokens (the spec at github.com/fernet/spec, as Python's `cryptography` writes them), read
// when keys are imported from systems that sealed them with Fernet (keyrelay import fernet):
//
//   token = base64url( 0x80 ‖ timestamp (8 bytes, big-endian) ‖ IV (16) ‖ AES-128-CBC-PKCS7(plaintext)
//                      ‖ HMAC-SHA256(signing key, everything before it) (32) )
//
// A Fernet key is 32 bytes: the signing key (first 16) ‖ the encryption key (last 16); its text form
// is base64url. Tokens are read with or without '=' padding. No TTL applies: an imported secret is
// as old as it is, so the timestamp is carried but never checked.
// Thread-safe (pure functions). Failures are invalid_request with a message naming what is wrong
// (never key bytes or plaintext); OpenSSL failing to do its part is unavailable.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"
#include "core/secret.h"

namespace keyrelay::crypto {

inline constexpr std::size_t kFernetKeySize = 32;
inline constexpr std::size_t kFernetIvSize = 16;
inline constexpr std::uint8_t kFernetVersion = 0x80;

// The 32 bytes of a Fernet key given as text (base64url, padded or not). The text is a secret
// itself, hence the Secret in and out.
core::Result<core::Secret> fernet_key_from_text(const core::Secret& text);

// The plaintext of `token` under `key`. The version byte and the HMAC are checked (in constant
// time) before anything is decrypted. Errors name the fault: not base64url, too short, unknown
// version, HMAC mismatch (a wrong key or a tampered token), ciphertext not whole AES blocks, bad
// padding; invalid_request for a key that is not 32 bytes.
core::Result<core::Secret> fernet_decrypt(const core::Secret& key, std::string_view token);

// The token of `plaintext` with the given IV and timestamp (the spec's "generating", padded like
// Python's). keyrelay never writes Fernet tokens; this pins the format in both directions against
// the spec's vectors and lets tests build tokens.
core::Result<std::string> fernet_encrypt(const core::Secret& key, core::ByteView plaintext,
                                         const std::array<std::uint8_t, kFernetIvSize>& iv, std::uint64_t timestamp);

}  // namespace keyrelay::crypto
