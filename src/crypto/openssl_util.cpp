#include "crypto/openssl_util.h"

#include <openssl/err.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "crypto/context_faults.h"

namespace keyrelay::crypto {
namespace {

// Context set-ups left before the armed fault fires; negative when disarmed.
std::atomic<int> g_setups_before_fault{-1};

}  // namespace

namespace faults {

void fail_context_setup_after(int skip) noexcept { g_setups_before_fault.store(skip < 0 ? 0 : skip); }

void clear_context_faults() noexcept { g_setups_before_fault.store(-1); }

}  // namespace faults
}  // namespace keyrelay::crypto

namespace keyrelay::crypto::detail {

bool context_setup_fault() noexcept {
  if (g_setups_before_fault.load(std::memory_order_relaxed) < 0) return false;
  // Armed: count this set-up; the one that finds the counter at 0 fails and disarms the seam.
  return g_setups_before_fault.fetch_sub(1) == 0;
}

const EVP_CIPHER* aes_256_gcm() noexcept {
  // A function-local static: initialised once, thread-safely, on first use.
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return cipher;
}

const EVP_MD* sha256_md() noexcept {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  return md;
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
