#pragma once
// RAII handles for the OpenSSL objects the JWK and JWS code uses (keys, contexts, BIOs, bignums,
// parameter builders, ECDSA signatures). Internal to src/auth: include from .cpp files only.
// (crypto/openssl_util.h holds the same kind of handles for the cipher code; these are the ones
// auth needs that crypto does not.)

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include <memory>

namespace keyrelay::auth::detail {

template <class T, void (*Free)(T*)>
struct OpensslDeleter {
  void operator()(T* p) const noexcept { Free(p); }
};

inline void free_bio(BIO* bio) { BIO_free_all(bio); }

using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpensslDeleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpensslDeleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, OpensslDeleter<BIO, free_bio>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpensslDeleter<BIGNUM, BN_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OpensslDeleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, OpensslDeleter<OSSL_PARAM, OSSL_PARAM_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OpensslDeleter<ECDSA_SIG, ECDSA_SIG_free>>;

}  // namespace keyrelay::auth::detail
