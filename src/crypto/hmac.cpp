#include "crypto/hmac.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "crypto/openssl_util.h"

namespace keyrelay::crypto {

Digest hmac_sha256(core::ByteView key, core::ByteView data) {
  // HMAC() treats a null key as "reuse the previous key" in some versions: never pass null.
  static const std::uint8_t kEmpty = 0;
  Digest out{};
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.empty() ? &kEmpty : key.data(), static_cast<int>(key.size()),
           data.empty() ? &kEmpty : data.data(), data.size(), out.data(), &size) == nullptr ||
      size != out.size()) {
    detail::fatal_openssl("hmac_sha256");
  }
  return out;
}

}  // namespace keyrelay::crypto
