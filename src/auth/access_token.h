#pragma once
// keyrelay's own bearer tokens: "kr_" followed by 32 random bytes in unpadded base64url (43
// characters), 46 characters in all. Only the SHA-256 of the text is stored (TokenRecord::hash);
// the text is shown once, at issue, and never again.
//
// Pure functions, thread-safe. The issued text lives in a core::Secret (wiped on destruction).

#include <cstddef>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"
#include "core/secret.h"

namespace keyrelay::auth {

inline constexpr std::string_view kAccessTokenPrefix = "kr_";
inline constexpr std::size_t kAccessTokenRandomBytes = 32;
// 32 bytes are 43 base64url characters without padding.
inline constexpr std::size_t kAccessTokenLength = kAccessTokenPrefix.size() + 43;

// A freshly issued token: the text to hand to its owner once, and the hash to store.
struct IssuedToken {
  core::Secret text;  // "kr_" + 43 base64url characters
  core::Bytes hash;   // token_hash(text): what the store keeps and looks tokens up by
};

// Issues a new token from the DRBG. Errc::internal when the DRBG cannot be seeded.
core::Result<IssuedToken> issue_token_text();

// SHA-256 of the token text as presented (prefix included), 32 bytes. Hash whatever the client
// sent; a text that is not a token simply has no matching row.
core::Bytes token_hash(std::string_view text);

// True when `text` has the exact shape of an issued token: the "kr_" prefix, exactly 43 further
// characters of the base64url alphabet, and a last character whose unused low bits are zero (as
// every encoding of 32 bytes has). Tells keyrelay tokens apart from JWTs (which contain dots) and
// from junk without a database lookup; says nothing about whether the token exists.
bool looks_like_access_token(std::string_view text) noexcept;

}  // namespace keyrelay::auth
