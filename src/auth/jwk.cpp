#include "auth/jwk.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <utility>

#include "auth/openssl_handles.h"
#include "core/encoding.h"

namespace keyrelay::auth {
namespace {

namespace json = boost::json;

core::Error bad_jwk(std::string reason) { return core::Error::invalid_request(std::move(reason)); }

// OpenSSL leaves reasons on the thread's error queue when a load fails; drop them so they cannot
// be mistaken for the cause of a later, unrelated failure on this thread.
core::Error openssl_refused(std::string reason) {
  ERR_clear_error();
  return bad_jwk(std::move(reason));
}

// Member `name` of `jwk` as a string; nullopt when absent. Errc::invalid_request when present but
// not a string.
core::Result<std::optional<std::string_view>> optional_string(const json::object& jwk,
                                                              std::string_view name) {
  const json::value* v = jwk.if_contains(name);
  if (v == nullptr) return std::optional<std::string_view>{};
  const json::string* s = v->if_string();
  if (s == nullptr) return bad_jwk("JWK member '" + std::string(name) + "' is not a string");
  return std::optional<std::string_view>{std::string_view(*s)};
}

// The strictly decoded base64url member `name`, which must be present and non-empty.
core::Result<core::Bytes> required_bytes(const json::object& jwk, std::string_view name) {
  auto text = optional_string(jwk, name);
  if (!text) return text.error();
  if (!text->has_value()) return bad_jwk("JWK has no '" + std::string(name) + "'");
  auto bytes = core::base64url_decode(**text);
  if (!bytes || bytes->empty()) {
    return bad_jwk("JWK member '" + std::string(name) + "' is not valid unpadded base64url");
  }
  return std::move(*bytes);
}

// `use`, `alg` and `key_ops` are optional, but when present they must agree with the pinned alg.
core::Result<void> check_usage(const json::object& jwk, JwsAlgorithm pinned) {
  auto use = optional_string(jwk, "use");
  if (!use) return use.error();
  if (use->has_value() && **use != "sig") return bad_jwk("JWK 'use' is not \"sig\"");

  auto alg = optional_string(jwk, "alg");
  if (!alg) return alg.error();
  if (alg->has_value() && **alg != jws_algorithm_name(pinned)) {
    return bad_jwk("JWK 'alg' does not match " + std::string(jws_algorithm_name(pinned)) +
                   ", the only algorithm accepted for its key type");
  }

  if (const json::value* ops = jwk.if_contains("key_ops")) {
    const json::array* list = ops->if_array();
    if (list == nullptr) return bad_jwk("JWK 'key_ops' is not an array");
    bool verify = false;
    for (const auto& op : *list) verify = verify || (op.is_string() && op.get_string() == "verify");
    if (!verify) return bad_jwk("JWK 'key_ops' does not allow \"verify\"");
  }
  return core::ok();
}

core::Result<void> refuse_private_members(const json::object& jwk) {
  static constexpr std::array<std::string_view, 8> kPrivate = {"d",  "p",  "q",   "dp",
                                                                "dq", "qi", "oth", "k"};
  for (std::string_view name : kPrivate) {
    if (jwk.contains(name)) {
      return bad_jwk("JWK contains private key material ('" + std::string(name) +
                     "'); a key set for verification must hold public keys only");
    }
  }
  return core::ok();
}

// Builds a public EVP_PKEY of `type` ("RSA", "EC") from `params` and checks it with OpenSSL's
// public-key validation (RSA: SP 800-56B checks; EC: point on the curve).
core::Result<EVP_PKEY*> pkey_from_params(const char* type, OSSL_PARAM* params) {
  detail::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return openssl_refused("OpenSSL cannot load the key");
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1 ||
      raw == nullptr) {
    return openssl_refused("JWK is not a valid public key");
  }
  detail::PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, raw, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    EVP_PKEY_free(raw);
    return openssl_refused("JWK is not a valid public key (OpenSSL's public-key check failed)");
  }
  return raw;
}

core::Result<EVP_PKEY*> rsa_pkey(const json::object& jwk) {
  auto n = required_bytes(jwk, "n");
  if (!n) return n.error();
  auto e = required_bytes(jwk, "e");
  if (!e) return e.error();

  detail::BignumPtr n_bn(BN_bin2bn(n->data(), static_cast<int>(n->size()), nullptr));
  detail::BignumPtr e_bn(BN_bin2bn(e->data(), static_cast<int>(e->size()), nullptr));
  if (!n_bn || !e_bn) return openssl_refused("OpenSSL cannot load the key");
  const int bits = BN_num_bits(n_bn.get());
  if (bits < kMinRsaBits) {
    return bad_jwk("RSA key has " + std::to_string(bits) + " bits; at least " +
                   std::to_string(kMinRsaBits) + " are required");
  }
  // SP 800-56B: an odd public exponent, at least 65537 (OpenSSL 3.0's own check lets e = 3 pass).
  if (!BN_is_odd(e_bn.get()) || BN_num_bits(e_bn.get()) < 17 || BN_num_bits(e_bn.get()) > 64) {
    return bad_jwk("RSA public exponent must be odd, at least 65537 and at most 64 bits");
  }
  if (bits > kMaxRsaBits) {
    return bad_jwk("RSA key has " + std::to_string(bits) + " bits; at most " +
                   std::to_string(kMaxRsaBits) + " are accepted");
  }

  detail::ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n_bn.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e_bn.get()) != 1) {
    return openssl_refused("OpenSSL cannot load the key");
  }
  detail::ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return openssl_refused("OpenSSL cannot load the key");
  return pkey_from_params("RSA", params.get());
}

core::Result<EVP_PKEY*> ec_pkey(const json::object& jwk) {
  auto crv = optional_string(jwk, "crv");
  if (!crv) return crv.error();
  if (!crv->has_value()) return bad_jwk("JWK has no 'crv'");
  if (**crv != "P-256") return bad_jwk("EC curve is not P-256 (the only curve accepted, for ES256)");

  auto x = required_bytes(jwk, "x");
  if (!x) return x.error();
  auto y = required_bytes(jwk, "y");
  if (!y) return y.error();
  // RFC 7518 §6.2.1.2 wants each coordinate as the full 32 bytes, but some producers drop leading
  // zero bytes (PyJWT 2.6's ECAlgorithm.to_jwk does, for about one key in 128). The value is the
  // same, so shorter coordinates are left-padded; longer ones are refused.
  if (x->size() > 32 || y->size() > 32) return bad_jwk("EC coordinates must be at most 32 bytes");

  // Uncompressed SEC1 point: 0x04 || x || y, each coordinate right-aligned in its 32 bytes.
  std::array<unsigned char, 65> point{};
  point[0] = 0x04;
  std::copy(x->begin(), x->end(), point.begin() + 1 + (32 - x->size()));
  std::copy(y->begin(), y->end(), point.begin() + 33 + (32 - y->size()));

  detail::ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return openssl_refused("OpenSSL cannot load the key");
  }
  detail::ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return openssl_refused("OpenSSL cannot load the key");
  return pkey_from_params("EC", params.get());
}

core::Result<std::string> to_pem(EVP_PKEY* pkey) {
  detail::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey) != 1) {
    return openssl_refused("OpenSSL cannot encode the key as PEM");
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  if (size <= 0 || data == nullptr) return openssl_refused("OpenSSL cannot encode the key as PEM");
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

std::string_view jws_algorithm_name(JwsAlgorithm alg) noexcept {
  switch (alg) {
    case JwsAlgorithm::hs256: return "HS256";
    case JwsAlgorithm::rs256: return "RS256";
    case JwsAlgorithm::es256: return "ES256";
  }
  return "?";
}

std::optional<JwsAlgorithm> parse_jws_algorithm(std::string_view name) noexcept {
  if (name == "HS256") return JwsAlgorithm::hs256;
  if (name == "RS256") return JwsAlgorithm::rs256;
  if (name == "ES256") return JwsAlgorithm::es256;
  return std::nullopt;
}

void PublicKey::PkeyDeleter::operator()(EVP_PKEY* pkey) const noexcept { EVP_PKEY_free(pkey); }

PublicKey::PublicKey(std::optional<std::string> kid, JwsAlgorithm alg, PkeyPtr pkey, std::string pem)
    : kid_(std::move(kid)),
      algorithm_(alg),
      bits_(EVP_PKEY_get_bits(pkey.get())),
      pkey_(std::move(pkey)),
      pem_(std::move(pem)) {}

core::Result<PublicKey> PublicKey::from_jwk(const json::object& jwk) {
  auto kty = optional_string(jwk, "kty");
  if (!kty) return kty.error();
  if (!kty->has_value()) return bad_jwk("JWK has no 'kty'");

  auto kid = optional_string(jwk, "kid");
  if (!kid) return kid.error();
  if (kid->has_value() && (*kid)->empty()) return bad_jwk("JWK 'kid' is empty");

  if (**kty == "oct") {
    return bad_jwk("symmetric (oct) keys are not accepted in a key set; "
                   "HS256 is verified only with the configured secret");
  }
  JwsAlgorithm alg;
  if (**kty == "RSA") alg = JwsAlgorithm::rs256;
  else if (**kty == "EC") alg = JwsAlgorithm::es256;
  else return bad_jwk("unsupported JWK key type (kty); only RSA and EC are accepted");

  if (auto r = refuse_private_members(jwk); !r) return r.error();
  if (auto r = check_usage(jwk, alg); !r) return r.error();

  auto raw = alg == JwsAlgorithm::rs256 ? rsa_pkey(jwk) : ec_pkey(jwk);
  if (!raw) return raw.error();
  PkeyPtr pkey(*raw);
  auto pem = to_pem(pkey.get());
  if (!pem) return pem.error();

  std::optional<std::string> kid_text;
  if (kid->has_value()) kid_text.emplace(**kid);
  return PublicKey(std::move(kid_text), alg, std::move(pkey), std::move(*pem));
}

core::Result<PublicKey> PublicKey::from_jwk_json(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return bad_jwk("JWK is not a JSON object");
  return from_jwk(v.get_object());
}

}  // namespace keyrelay::auth
