#include "crypto/hmac.h"

#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include "crypto/openssl_util.h"

namespace keyrelay::crypto {

// The MAC algorithm is fetched once: HMAC() fetches it (a locked provider lookup) on every call,
// and the audit chain links every key.used event with one.
Digest hmac_sha256(core::ByteView key, core::ByteView data) {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  static const std::uint8_t kEmpty = 0;  // never hand OpenSSL a null key or data pointer
  if (mac == nullptr) detail::fatal_openssl("hmac_sha256: fetch HMAC");
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  if (ctx == nullptr) detail::fatal_openssl("hmac_sha256: context");
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest_name, 0), OSSL_PARAM_construct_end()};
  Digest out{};
  std::size_t size = 0;
  const bool ok = EVP_MAC_init(ctx, key.empty() ? &kEmpty : key.data(), key.size(), params) == 1 &&
                  EVP_MAC_update(ctx, data.empty() ? &kEmpty : data.data(), data.size()) == 1 &&
                  EVP_MAC_final(ctx, out.data(), &size, out.size()) == 1 && size == out.size();
  EVP_MAC_CTX_free(ctx);
  if (!ok) detail::fatal_openssl("hmac_sha256");
  return out;
}

}  // namespace keyrelay::crypto
