#include "crypto/hmac.h"

#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include "core/secret.h"
#include "crypto/openssl_util.h"

namespace keyrelay::crypto {

namespace {

// One HMAC-SHA256 context per thread, its algorithm and digest set once: a fresh context per call
// fetches SHA-256 by name and allocates three digest contexts, and the audit chain links every
// key.used event with one. A call with the key of the call before reuses the keyed state (the
// usage writer links thousands of events with one audit key); another key re-keys it. The key is
// kept, for that comparison, in a Secret that wipes itself.
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

  // Starts a MAC with `key`: keyed anew unless it is the key of the last start.
  bool start(core::ByteView key) {
    static const std::uint8_t kEmpty = 0;  // never hand OpenSSL a null key pointer
    if (keyed_ && key_.equals(key)) return EVP_MAC_init(ctx_, nullptr, 0, nullptr) == 1;
    keyed_ = false;
    if (EVP_MAC_init(ctx_, key.empty() ? &kEmpty : key.data(), key.size(), nullptr) != 1) return false;
    key_ = core::Secret(key);
    keyed_ = true;
    return true;
  }

 private:
  EVP_MAC_CTX* ctx_ = nullptr;
  core::Secret key_;    // the key ctx_ holds, once keyed_
  bool keyed_ = false;
};

}  // namespace

Digest hmac_sha256(core::ByteView key, core::ByteView data) {
  static const std::uint8_t kEmpty = 0;  // never hand OpenSSL a null key or data pointer
  thread_local ThreadMac mac;
  Digest out{};
  std::size_t size = 0;
  const bool ok = mac.start(key) &&
                  EVP_MAC_update(mac.get(), data.empty() ? &kEmpty : data.data(), data.size()) == 1 &&
                  EVP_MAC_final(mac.get(), out.data(), &size, out.size()) == 1 && size == out.size();
  if (!ok) detail::fatal_openssl("hmac_sha256");
  return out;
}

}  // namespace keyrelay::crypto
