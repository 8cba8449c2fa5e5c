#pragma once
// Internal helpers shared by the crypto/*.cpp files: RAII handles for OpenSSL contexts, the
// algorithm objects fetched once per process, and the abort used when OpenSSL fails in a way that
// only memory exhaustion can cause. Not part of the module's interface; include from .cpp only.

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <memory>
#include <string_view>

namespace keyrelay::crypto::detail {

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

struct KdfCtxDeleter {
  void operator()(EVP_KDF_CTX* ctx) const noexcept { EVP_KDF_CTX_free(ctx); }
};
using KdfCtx = std::unique_ptr<EVP_KDF_CTX, KdfCtxDeleter>;

// "AES-256-GCM" from the default library context, fetched on first use and kept for the life of
// the process (never freed, so it outlives every static that might still encrypt at exit).
// Null only if the default provider is unavailable. Thread-safe.
const EVP_CIPHER* aes_256_gcm() noexcept;
// SHA-256, fetched once: EVP_sha256() makes every digest look its implementation up again.
const EVP_MD* sha256_md() noexcept;

// "HKDF", same lifetime rules as aes_256_gcm().
EVP_KDF* hkdf_kdf() noexcept;

// True when the test seam of crypto/context_faults.h says this context set-up must fail (it
// consumes the armed fault). Always false in production.
bool context_setup_fault() noexcept;

// Writes "keyrelay: fatal OpenSSL failure in <where>" with OpenSSL's error queue to stderr and
// aborts. For failures that cannot happen with valid arguments (allocation failure): the error
// policy is that memory exhaustion crashes.
[[noreturn]] void fatal_openssl(std::string_view where) noexcept;

}  // namespace keyrelay::crypto::detail
