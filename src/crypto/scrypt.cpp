#include "crypto/scrypt.h"

#include <openssl/core_names.h>
#include <openssl/params.h>

#include "crypto/openssl_util.h"

namespace keyrelay::crypto {
namespace {

struct KdfDeleter {
  void operator()(EVP_KDF* kdf) const noexcept { EVP_KDF_free(kdf); }
};

void* param_data(core::ByteView bytes) { return const_cast<std::uint8_t*>(bytes.data()); }

}  // namespace

std::uint64_t scrypt_memory(const ScryptParams& params) noexcept {
  if (params.log2_n >= 40) return UINT64_MAX;
  const std::uint64_t n = std::uint64_t{1} << params.log2_n;
  return 128 * std::uint64_t{params.r} * (n + std::uint64_t{params.p});
}

core::Result<core::Secret> scrypt(core::ByteView passphrase, core::ByteView salt, const ScryptParams& params,
                                  std::size_t size) {
  if (passphrase.empty()) return core::Error::invalid_request("scrypt needs a passphrase");
  if (size == 0 || size > 1024) return core::Error::invalid_request("scrypt output must be 1 to 1024 bytes");
  if (params.log2_n < 1 || params.log2_n > 24 || params.r == 0 || params.p == 0)
    return core::Error::invalid_request("scrypt parameters out of range");
  const std::uint64_t memory = scrypt_memory(params);
  if (memory > kScryptMaxMemory) return core::Error::invalid_request("scrypt parameters ask for more than 1 GiB");

  std::unique_ptr<EVP_KDF, KdfDeleter> kdf(EVP_KDF_fetch(nullptr, "SCRYPT", nullptr));
  if (!kdf) return core::Error::unavailable("scrypt is not available from OpenSSL");
  detail::KdfCtx ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return core::Error::unavailable("allocating an scrypt context failed inside OpenSSL; try again");

  std::uint64_t n = std::uint64_t{1} << params.log2_n;
  std::uint32_t r = params.r, p = params.p;
  // Room for the block buffers, with a margin for OpenSSL's own bookkeeping.
  std::uint64_t maxmem = memory + (std::uint64_t{1} << 20);
  OSSL_PARAM ossl[7];
  std::size_t i = 0;
  ossl[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, param_data(passphrase), passphrase.size());
  // An empty salt is allowed (RFC 7914's first vector); OpenSSL needs a non-null pointer for it.
  static const std::uint8_t kNoSalt = 0;
  ossl[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                                salt.empty() ? const_cast<std::uint8_t*>(&kNoSalt) : param_data(salt),
                                                salt.size());
  ossl[i++] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
  ossl[i++] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
  ossl[i++] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p);
  ossl[i++] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem);
  ossl[i] = OSSL_PARAM_construct_end();

  core::Secret out = core::Secret::zeroed(size);
  if (EVP_KDF_derive(ctx.get(), out.mutable_bytes().data(), size, ossl) != 1)
    return core::Error::unavailable("scrypt derivation failed inside OpenSSL (out of memory?)");
  return out;
}

}  // namespace keyrelay::crypto
