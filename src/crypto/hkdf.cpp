#include "crypto/hkdf.h"

#include <openssl/core_names.h>
#include <openssl/params.h>

#include "crypto/openssl_util.h"

namespace keyrelay::crypto {
namespace {

// OSSL_PARAM wants non-const pointers, but the HKDF provider only reads these buffers.
void* param_data(core::ByteView bytes) { return const_cast<std::uint8_t*>(bytes.data()); }

}  // namespace

core::Result<core::Secret> hkdf_sha256(core::ByteView ikm, core::ByteView salt, core::ByteView info,
                                       std::size_t size) {
  if (size == 0 || size > kHkdfSha256MaxSize) {
    return core::Error::invalid_request("HKDF-SHA256 output must be 1 to 8160 bytes");
  }
  if (ikm.empty()) return core::Error::invalid_request("HKDF-SHA256 needs input key material");
  EVP_KDF* kdf = detail::hkdf_kdf();
  // OpenSSL failing here (no memory for a context) is transient, like the AEAD's failures.
  if (kdf == nullptr) return core::Error::unavailable("HKDF is not available from OpenSSL");
  detail::KdfCtx ctx(detail::context_setup_fault() ? nullptr : EVP_KDF_CTX_new(kdf));
  if (!ctx) return core::Error::unavailable("allocating an HKDF context failed inside OpenSSL; try again");

  char digest[] = "SHA256";
  OSSL_PARAM params[5];
  std::size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, param_data(ikm), ikm.size());
  // OpenSSL 3.0 fails on an octet-string parameter of (nullptr, 0), which is what an empty span
  // gives: leave empty salt and info out instead (absent salt = RFC 5869's zero salt).
  if (!salt.empty()) {
    params[n++] =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, param_data(salt), salt.size());
  }
  if (!info.empty()) {
    params[n++] =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, param_data(info), info.size());
  }
  params[n] = OSSL_PARAM_construct_end();

  core::Secret out = core::Secret::zeroed(size);
  if (EVP_KDF_derive(ctx.get(), out.mutable_bytes().data(), size, params) != 1) {
    return core::Error::unavailable("HKDF-SHA256 derivation failed inside OpenSSL; try again");
  }
  return out;
}

}  // namespace keyrelay::crypto
