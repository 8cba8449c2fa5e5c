#include "crypto/fernet.h"

#include <openssl/evp.h>

#include <climits>

#include "core/encoding.h"
#include "crypto/constant_time.h"
#include "crypto/hmac.h"
#include "crypto/openssl_util.h"

namespace keyrelay::crypto {
namespace {

constexpr std::size_t kBlock = 16;
constexpr std::size_t kHeader = 1 + 8 + kFernetIvSize;  // version, timestamp, IV
constexpr std::size_t kMac = 32;
constexpr std::size_t kHalfKey = kFernetKeySize / 2;

core::Error bad_token(std::string_view why) { return core::Error::invalid_request("Fernet token: " + std::string(why)); }

core::Error library_failure(std::string_view what) {
  return core::Error::unavailable(std::string(what) + " failed inside OpenSSL; try again");
}

// base64url with or without '=' padding; padding, when present, must be complete and canonical.
std::optional<core::Bytes> decode_base64url(std::string_view text) {
  const std::size_t unpadded = text.find_last_not_of('=') + 1;  // 0 when all '=' (npos + 1)
  const std::size_t padding = text.size() - unpadded;
  if (padding > 0 && (padding > 2 || text.size() % 4 != 0)) return std::nullopt;
  return core::base64url_decode(text.substr(0, unpadded));
}

std::string encode_base64url_padded(core::ByteView bytes) {
  std::string text = core::base64url_encode(bytes);
  while (text.size() % 4 != 0) text += '=';
  return text;
}

core::ByteView signing_key(const core::Secret& key) { return key.reveal().first(kHalfKey); }
core::ByteView encryption_key(const core::Secret& key) { return key.reveal().subspan(kHalfKey); }

// AES-128-CBC with PKCS7 padding, one direction; `out` must hold input + one block.
core::Result<std::size_t> aes_128_cbc(bool encrypt, core::ByteView key, core::ByteView iv, core::ByteView in,
                                      std::span<std::uint8_t> out) {
  if (in.size() > INT_MAX - 2 * kBlock) return core::Error::invalid_request("Fernet token: too large");
  detail::CipherCtx ctx(detail::context_setup_fault() ? nullptr : EVP_CIPHER_CTX_new());
  if (!ctx) return library_failure("allocating an AES-128-CBC context");
  const int enc = encrypt ? 1 : 0;
  if (EVP_CipherInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr, key.data(), iv.data(), enc) != 1)
    return library_failure("AES-128-CBC initialisation");
  int written = 0, last = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &written, in.data(), static_cast<int>(in.size())) != 1)
    return library_failure("AES-128-CBC");
  // Decrypting, the final step fails exactly when the PKCS7 padding is wrong (the MAC was right:
  // the token was made that way, or with another IV).
  if (EVP_CipherFinal_ex(ctx.get(), out.data() + written, &last) != 1) {
    if (!encrypt) return bad_token("bad padding after decryption");
    return library_failure("AES-128-CBC");
  }
  return static_cast<std::size_t>(written + last);
}

}  // namespace

core::Result<core::Secret> fernet_key_from_text(const core::Secret& text) {
  auto bytes = decode_base64url(text.reveal_text());
  if (!bytes || bytes->size() != kFernetKeySize) {
    if (bytes) core::wipe_memory(bytes->data(), bytes->size());
    return core::Error::invalid_request("a Fernet key must be 32 bytes in base64url");
  }
  core::Secret key(*bytes);
  core::wipe_memory(bytes->data(), bytes->size());
  return key;
}

core::Result<core::Secret> fernet_decrypt(const core::Secret& key, std::string_view token) {
  if (key.size() != kFernetKeySize) return core::Error::invalid_request("a Fernet key must be 32 bytes");
  const auto data = decode_base64url(token);
  if (!data) return bad_token("not valid base64url");
  if (data->size() < kHeader + kMac) return bad_token("too short");
  const core::ByteView all(*data);
  if (all[0] != kFernetVersion) return bad_token("unknown version (not 0x80)");
  const core::ByteView signed_part = all.first(all.size() - kMac);
  const Digest mac = hmac_sha256(signing_key(key), signed_part);
  if (!constant_time_equal(mac, all.last(kMac)))
    return bad_token("HMAC mismatch (a wrong key, or a tampered token)");
  const core::ByteView iv = all.subspan(1 + 8, kFernetIvSize);
  const core::ByteView ciphertext = signed_part.subspan(kHeader);
  if (ciphertext.empty() || ciphertext.size() % kBlock != 0)
    return bad_token("the ciphertext is not a whole number of AES blocks");
  core::Secret buffer = core::Secret::zeroed(ciphertext.size() + kBlock);
  auto size = aes_128_cbc(false, encryption_key(key), iv, ciphertext, buffer.mutable_bytes());
  if (!size) return size.error();
  return core::Secret(buffer.reveal().first(*size));
}

core::Result<std::string> fernet_encrypt(const core::Secret& key, core::ByteView plaintext,
                                         const std::array<std::uint8_t, kFernetIvSize>& iv, std::uint64_t timestamp) {
  if (key.size() != kFernetKeySize) return core::Error::invalid_request("a Fernet key must be 32 bytes");
  core::Bytes token;
  token.reserve(kHeader + plaintext.size() + kBlock + kMac);
  token.push_back(kFernetVersion);
  for (int shift = 56; shift >= 0; shift -= 8) token.push_back(static_cast<std::uint8_t>(timestamp >> shift));
  token.insert(token.end(), iv.begin(), iv.end());
  const std::size_t header = token.size();
  token.resize(header + plaintext.size() + kBlock);
  auto size = aes_128_cbc(true, encryption_key(key), iv, plaintext, std::span(token).subspan(header));
  if (!size) return size.error();
  token.resize(header + *size);
  const Digest mac = hmac_sha256(signing_key(key), token);
  token.insert(token.end(), mac.begin(), mac.end());
  return encode_base64url_padded(token);
}

}  // namespace keyrelay::crypto
