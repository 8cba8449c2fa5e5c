#include "crypto/hmac.h"

#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include "crypto/openssl_util.h"

namespace keyrelay::crypto {

namespace {

// One HMAC-SHA256 context per thread, its algorithm and digest set once: a fresh context per call
// fetches SHA-256 by name and allocates three digest contexts, and the audit chain links every
// key.used event with one. Each call re-keys it (EVP_MAC_init with the caller's key).
class ThreadMac {
 public:
  ThreadMac() {
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac == nullptr) detail::fatal_openssl("hmac_sha256: fetch HMAC");
    ctx_ = EVP_MAC_CTX_new(mac);
    if (ctx_ == nullptr) detail::fatal_openssl("hmac_sha256: context");
    char digest_name[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest_name, 0), OSSL_PARAM_construct_end()};
    if (EVP_MAC_CTX_set_params(ctx_, params) != 1) detail::fatal_openssl("hmac_sha256: digest");
  }
  ~ThreadMac() { EVP_MAC_CTX_free(ctx_); }  // frees (and cleanses) the keyed state
  ThreadMac(const ThreadMac&) = delete;
  ThreadMac& operator=(const ThreadMac&) = delete;
  EVP_MAC_CTX* get() const noexcept { return ctx_; }

 private:
  EVP_MAC_CTX* ctx_ = nullptr;
};

}  // namespace

Digest hmac_sha256(core::ByteView key, core::ByteView data) {
  static const std::uint8_t kEmpty = 0;  // never hand OpenSSL a null key or data pointer
  thread_local const ThreadMac mac;
  Digest out{};
  std::size_t size = 0;
  const bool ok = EVP_MAC_init(mac.get(), key.empty() ? &kEmpty : key.data(), key.size(), nullptr) == 1 &&
                  EVP_MAC_update(mac.get(), data.empty() ? &kEmpty : data.data(), data.size()) == 1 &&
                  EVP_MAC_final(mac.get(), out.data(), &size, out.size()) == 1 && size == out.size();
  if (!ok) detail::fatal_openssl("hmac_sha256");
  return out;
}

}  // namespace keyrelay::crypto
