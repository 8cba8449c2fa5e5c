#include "crypto/openssl_util.h"

#include <openssl/err.h>

#include <cstdio>
#include <cstdlib>

namespace keyrelay::crypto::detail {

const EVP_CIPHER* aes_256_gcm() noexcept {
  // A function-local static: initialised once, thread-safely, on first use.
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return cipher;
}

EVP_KDF* hkdf_kdf() noexcept {
  static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  return kdf;
}

void fatal_openssl(std::string_view where) noexcept {
  std::fprintf(stderr, "keyrelay: fatal OpenSSL failure in %.*s\n", static_cast<int>(where.size()),
               where.data());
  ERR_print_errors_fp(stderr);
  std::abort();
}

}  // namespace keyrelay::crypto::detail
