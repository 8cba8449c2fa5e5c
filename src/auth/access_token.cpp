#include "auth/access_token.h"

#include <string>

#include "core/encoding.h"
#include "crypto/digest.h"
#include "crypto/random.h"

namespace keyrelay::auth {
namespace {

bool is_base64url_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// 32 bytes = 256 bits; 43 characters carry 258, so the last character encodes 4 data bits and two
// zero bits: its 6-bit value is a multiple of 4.
bool is_canonical_last_char(char c) noexcept {
  int value = -1;
  if (c >= 'A' && c <= 'Z') value = c - 'A';
  else if (c >= 'a' && c <= 'z') value = c - 'a' + 26;
  else if (c >= '0' && c <= '9') value = c - '0' + 52;
  else if (c == '-') value = 62;
  else if (c == '_') value = 63;
  return value >= 0 && value % 4 == 0;
}

}  // namespace

core::Result<IssuedToken> issue_token_text() {
  auto random = crypto::random_secret(kAccessTokenRandomBytes);
  if (!random) return random.error();

  std::string encoded = core::base64url_encode(random->reveal());
  std::string text;
  text.reserve(kAccessTokenLength);
  text.append(kAccessTokenPrefix);
  text.append(encoded);

  IssuedToken issued{core::Secret(std::string_view(text)), token_hash(text)};
  // The std::string copies are plain heap memory: wipe them before they are freed.
  core::wipe_memory(encoded.data(), encoded.size());
  core::wipe_memory(text.data(), text.size());
  return issued;
}

core::Bytes token_hash(std::string_view text) {
  crypto::Digest digest = crypto::sha256(core::as_bytes(text));
  return core::Bytes(digest.begin(), digest.end());
}

bool looks_like_access_token(std::string_view text) noexcept {
  if (text.size() != kAccessTokenLength || !text.starts_with(kAccessTokenPrefix)) return false;
  std::string_view body = text.substr(kAccessTokenPrefix.size());
  for (char c : body) {
    if (!is_base64url_char(c)) return false;
  }
  return is_canonical_last_char(body.back());
}

}  // namespace keyrelay::auth
