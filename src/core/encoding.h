#pragma once
// Strict text encodings of bytes: hex (lowercase out, either case in), base64 (RFC 4648 §4, padded)
// and base64url (§5, unpadded). Decoders reject whitespace, bad characters, bad padding and
// non-canonical trailing bits, so a key that parses is the one the operator wrote.
// We keep our own codec because OpenSSL's EVP_DecodeBlock accepts whitespace and misreports padding.

#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"

namespace keyrelay::core {

std::string hex_encode(ByteView bytes);
std::optional<Bytes> hex_decode(std::string_view text);

std::string base64_encode(ByteView bytes);
std::optional<Bytes> base64_decode(std::string_view text);

std::string base64url_encode(ByteView bytes);

// RFC 3986 percent-encoding: every byte except the unreserved A-Z a-z 0-9 - . _ ~ becomes %XX
// (upper-case hex), as for a query parameter value.
std::string percent_encode(std::string_view text);
// Accepts unpadded input only (JWS and our tokens never pad).
std::optional<Bytes> base64url_decode(std::string_view text);

}  // namespace keyrelay::core
