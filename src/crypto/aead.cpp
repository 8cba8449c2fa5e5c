#include "crypto/aead.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <climits>
#include <string>
#include <string_view>
#include <utility>

#include "crypto/openssl_util.h"
#include "crypto/random.h"

namespace keyrelay::crypto {
namespace {

// EVP_*Update take int lengths; one call per buffer keeps the code simple, so cap the sizes.
constexpr std::size_t kMaxUpdate = INT_MAX - 64;

core::Result<void> check_parameters(core::ByteView key, core::ByteView iv, core::ByteView aad,
                                    core::ByteView text) {
  if (key.size() != kAeadKeySize)
    return core::Error::invalid_request("AES-256-GCM needs a 32-byte key");
  if (iv.empty() || iv.size() > kGcmMaxIvSize) {
    return core::Error::invalid_request("AES-GCM needs an IV of 1 to 128 bytes");
  }
  if (aad.size() > kMaxUpdate || text.size() > kMaxUpdate) {
    return core::Error::invalid_request("AES-GCM input is too large");
  }
  return core::ok();
}

// OpenSSL could not do its part (no memory for a context, a provider error): nothing is known to be
// wrong with the data, so this is never reported as an authentication failure.
core::Error library_failure(std::string_view what) {
  return core::Error::unavailable(std::string(what) + " failed inside OpenSSL; try again");
}

// A thread keeps one AES-256-GCM context per direction between calls. Setting a context up costs
// OpenSSL two allocations, a provider lookup and parameter parsing: several times the cipher work
// on a provider key's few bytes, and a gateway call opens two envelopes. A kept context is keyed
// afresh at each use and keyed with zeros when the use ends, so no key schedule outlives its call;
// a context that cannot be scrubbed is freed (OpenSSL cleanses it) instead of kept.
struct KeptContexts {
  detail::CipherCtx ctx[2];
  bool busy[2] = {false, false};
  std::size_t iv_size[2] = {kGcmNonceSize, kGcmNonceSize};  // what each was last set to (OpenSSL's default: 12)
};
thread_local KeptContexts kept_contexts;

constexpr std::array<std::uint8_t, kAeadKeySize> kZeroKey{};

// A context for one encryption or decryption: the thread's kept one, or (if that is in use) its own.
class GcmContext {
 public:
  GcmContext(detail::CipherCtx owned, int enc) : owned_(std::move(owned)), enc_(enc) {}
  GcmContext(EVP_CIPHER_CTX* kept, int enc) : kept_(kept), enc_(enc) {}
  GcmContext(GcmContext&& other) noexcept
      : owned_(std::move(other.owned_)), kept_(std::exchange(other.kept_, nullptr)), enc_(other.enc_) {}
  GcmContext(const GcmContext&) = delete;
  GcmContext& operator=(const GcmContext&) = delete;
  GcmContext& operator=(GcmContext&&) = delete;
  ~GcmContext() {
    if (kept_ == nullptr) return;
    KeptContexts& kept = kept_contexts;
    if (EVP_CipherInit_ex(kept_, nullptr, nullptr, kZeroKey.data(), nullptr, enc_) != 1) kept.ctx[enc_].reset();
    kept.busy[enc_] = false;
  }
  EVP_CIPHER_CTX* get() const noexcept { return kept_ != nullptr ? kept_ : owned_.get(); }

  // Sets the IV length unless the context has it already (the ctrl parses OpenSSL parameters).
  bool set_iv_size(std::size_t size) {
    std::size_t& current = kept_ != nullptr ? kept_contexts.iv_size[enc_] : owned_iv_size_;
    if (size == current) return true;
    if (EVP_CIPHER_CTX_ctrl(get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(size), nullptr) != 1) return false;
    current = size;
    return true;
  }

 private:
  detail::CipherCtx owned_;
  EVP_CIPHER_CTX* kept_ = nullptr;
  int enc_;
  std::size_t owned_iv_size_ = kGcmNonceSize;
};

// The thread's kept context for `enc` with the cipher chosen, or a new one while that is in use.
core::Result<GcmContext> context_with_cipher(const EVP_CIPHER* cipher, int enc) {
  // The test seam stands for OpenSSL failing to set a context up, kept or new.
  if (detail::context_setup_fault()) return library_failure("allocating an AES-256-GCM context");
  KeptContexts& kept = kept_contexts;
  if (!kept.busy[enc] && kept.ctx[enc]) {
    kept.busy[enc] = true;
    return GcmContext(kept.ctx[enc].get(), enc);
  }
  detail::CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex(ctx.get(), cipher, nullptr, nullptr, nullptr, enc) != 1)
    return library_failure("allocating an AES-256-GCM context");
  if (kept.busy[enc]) return GcmContext(std::move(ctx), enc);
  kept.ctx[enc] = std::move(ctx);
  kept.busy[enc] = true;
  kept.iv_size[enc] = kGcmNonceSize;
  return GcmContext(kept.ctx[enc].get(), enc);
}

// A context for AES-256-GCM in the given direction with `key` and `iv` set.
core::Result<GcmContext> make_context(bool encrypt, core::ByteView key, core::ByteView iv) {
  const EVP_CIPHER* cipher = detail::aes_256_gcm();
  if (cipher == nullptr) return library_failure("fetching AES-256-GCM");
  const int enc = encrypt ? 1 : 0;
  auto ctx = context_with_cipher(cipher, enc);
  if (!ctx) return std::move(ctx).error();
  // The IV length must be set between choosing the cipher and setting key and IV.
  if (!ctx->set_iv_size(iv.size()) ||
      EVP_CipherInit_ex(ctx->get(), nullptr, nullptr, key.data(), iv.data(), enc) != 1) {
    return library_failure("AES-256-GCM initialisation");
  }
  return ctx;
}

// gcm_decrypt with the message to report on a tag mismatch, so seal()'s callers see a message
// that names the vault format.
core::Result<core::Secret> decrypt(core::ByteView key, core::ByteView iv, core::ByteView aad,
                                   core::ByteView ciphertext, core::ByteView tag,
                                   std::string_view auth_failure);

}  // namespace

core::Result<GcmOutput> gcm_encrypt(core::ByteView key, core::ByteView iv, core::ByteView aad,
                                    core::ByteView plaintext) {
  if (auto r = check_parameters(key, iv, aad, plaintext); !r) return std::move(r).error();
  auto ctx = make_context(true, key, iv);
  if (!ctx) return std::move(ctx).error();

  GcmOutput out;
  out.ciphertext.resize(plaintext.size());
  int len = 0;
  if (!aad.empty() &&
      EVP_EncryptUpdate(ctx->get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) {
    return library_failure("AES-256-GCM encryption");
  }
  int written = 0;
  if (!plaintext.empty()) {
    if (EVP_EncryptUpdate(ctx->get(), out.ciphertext.data(), &len, plaintext.data(),
                          static_cast<int>(plaintext.size())) != 1) {
      return library_failure("AES-256-GCM encryption");
    }
    written = len;
  }
  // GCM is a stream mode: Final writes nothing, but a scratch byte keeps the pointer valid for
  // an empty plaintext.
  std::uint8_t scratch[16];
  if (EVP_EncryptFinal_ex(ctx->get(), scratch, &len) != 1 || len != 0 ||
      static_cast<std::size_t>(written) != plaintext.size() ||
      EVP_CIPHER_CTX_ctrl(ctx->get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kGcmTagSize),
                          out.tag.data()) != 1) {
    return library_failure("AES-256-GCM encryption");
  }
  return out;
}

core::Result<core::Secret> gcm_decrypt(core::ByteView key, core::ByteView iv, core::ByteView aad,
                                       core::ByteView ciphertext, core::ByteView tag) {
  return decrypt(key, iv, aad, ciphertext, tag, "data failed authentication");
}

namespace {

core::Result<core::Secret> decrypt(core::ByteView key, core::ByteView iv, core::ByteView aad,
                                   core::ByteView ciphertext, core::ByteView tag,
                                   std::string_view auth_failure) {
  if (auto r = check_parameters(key, iv, aad, ciphertext); !r) return std::move(r).error();
  if (tag.size() != kGcmTagSize) return core::Error::invalid_request("AES-GCM needs a 16-byte tag");
  auto ctx = make_context(false, key, iv);
  if (!ctx) return std::move(ctx).error();

  core::Secret plain = core::Secret::zeroed(ciphertext.size());
  int len = 0;
  // GCM checks nothing before the tag: an Update that fails is OpenSSL failing, not the data.
  if (!aad.empty() &&
      EVP_DecryptUpdate(ctx->get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) {
    return library_failure("AES-256-GCM decryption");
  }
  if (!ciphertext.empty() &&
      (EVP_DecryptUpdate(ctx->get(), plain.mutable_bytes().data(), &len, ciphertext.data(),
                         static_cast<int>(ciphertext.size())) != 1 ||
       static_cast<std::size_t>(len) != ciphertext.size())) {
    return library_failure("AES-256-GCM decryption");  // `plain` wipes itself on the way out
  }
  // The ctrl takes a non-const pointer but only reads the tag when decrypting.
  std::array<std::uint8_t, kGcmTagSize> expected{};
  std::copy(tag.begin(), tag.end(), expected.begin());
  if (EVP_CIPHER_CTX_ctrl(ctx->get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kGcmTagSize),
                          expected.data()) != 1) {
    return library_failure("AES-256-GCM decryption");
  }
  std::uint8_t scratch[16];
  if (EVP_DecryptFinal_ex(ctx->get(), scratch, &len) != 1) {
    plain.wipe();  // unauthenticated plaintext never leaves this function
    return core::Error::internal(std::string(auth_failure));  // the tag does not match: the data
  }
  return plain;
}

}  // namespace

core::Result<core::Bytes> seal(core::ByteView key, core::ByteView aad, core::ByteView plaintext) {
  if (key.size() != kAeadKeySize)
    return core::Error::invalid_request("AES-256-GCM needs a 32-byte key");
  std::array<std::uint8_t, kGcmNonceSize> nonce{};
  if (auto r = fill_random(nonce); !r) return std::move(r).error();
  auto enc = gcm_encrypt(key, nonce, aad, plaintext);
  if (!enc) return std::move(enc).error();

  core::Bytes sealed;
  sealed.reserve(kSealedOverhead + plaintext.size());
  sealed.push_back(kSealedFormatV1);
  sealed.insert(sealed.end(), nonce.begin(), nonce.end());
  sealed.insert(sealed.end(), enc->ciphertext.begin(), enc->ciphertext.end());
  sealed.insert(sealed.end(), enc->tag.begin(), enc->tag.end());
  return sealed;
}

core::Result<core::Secret> open(core::ByteView key, core::ByteView aad, core::ByteView sealed) {
  if (key.size() != kAeadKeySize)
    return core::Error::invalid_request("AES-256-GCM needs a 32-byte key");
  if (sealed.size() < kSealedOverhead) return core::Error::internal("sealed data is too short");
  if (sealed[0] != kSealedFormatV1)
    return core::Error::internal("sealed data has an unknown format");
  const auto nonce = sealed.subspan(1, kGcmNonceSize);
  const auto body = sealed.subspan(1 + kGcmNonceSize, sealed.size() - kSealedOverhead);
  const auto tag = sealed.last(kGcmTagSize);
  return decrypt(key, nonce, aad, body, tag, "sealed data failed authentication");
}

}  // namespace keyrelay::crypto
