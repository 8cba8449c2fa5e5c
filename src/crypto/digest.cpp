#include "crypto/digest.h"

#include <openssl/evp.h>

#include "crypto/openssl_util.h"

namespace keyrelay::crypto {

Digest sha256(core::ByteView data) {
  static const std::uint8_t kEmpty = 0;  // OpenSSL wants a non-null pointer even for 0 bytes
  Digest out{};
  unsigned int size = 0;
  const EVP_MD* md = detail::sha256_md();
  if (md == nullptr ||
      EVP_Digest(data.empty() ? &kEmpty : data.data(), data.size(), out.data(), &size, md, nullptr) != 1 ||
      size != out.size()) {
    detail::fatal_openssl("sha256");
  }
  return out;
}

}  // namespace keyrelay::crypto
