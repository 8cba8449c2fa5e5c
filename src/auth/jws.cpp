#include "auth/jws.h"

#include <openssl/err.h>

#include <boost/json.hpp>

#include "auth/openssl_handles.h"
#include "core/encoding.h"
#include "crypto/constant_time.h"
#include "crypto/hmac.h"

namespace keyrelay::auth {
namespace {

namespace json = boost::json;

core::Error malformed_token() { return core::Error::unauthenticated("malformed token"); }
core::Error malformed_header() { return core::Error::unauthenticated("malformed token header"); }
core::Error bad_signature() {
  // A failed EVP_DigestVerify leaves reasons on this thread's error queue; they are expected here.
  ERR_clear_error();
  return core::Error::unauthenticated("bad signature");
}

bool is_base64url_text(std::string_view s) noexcept {
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Member `name` as a string: absent → nullopt, a string → its text, anything else → error.
core::Result<std::optional<std::string>> header_string(const json::object& header,
                                                       std::string_view name) {
  const json::value* v = header.if_contains(name);
  if (v == nullptr) return std::optional<std::string>{};
  if (!v->is_string()) return malformed_header();
  return std::optional<std::string>{std::string(v->get_string())};
}

// JWS carries ECDSA signatures as R||S; OpenSSL verifies DER. Only exactly 64 bytes are accepted:
// no padding or truncation, so one signature has one encoding.
core::Result<core::Bytes> ecdsa_p1363_to_der(const core::Bytes& raw) {
  if (raw.size() != 64) return bad_signature();
  detail::BignumPtr r(BN_bin2bn(raw.data(), 32, nullptr));
  detail::BignumPtr s(BN_bin2bn(raw.data() + 32, 32, nullptr));
  detail::EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return bad_signature();
  (void)r.release();  // owned by sig now
  (void)s.release();
  const int size = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (size <= 0) return bad_signature();
  core::Bytes der(static_cast<std::size_t>(size));
  unsigned char* out = der.data();
  if (i2d_ECDSA_SIG(sig.get(), &out) != size) return bad_signature();
  return der;
}

}  // namespace

core::Result<JwsParts> split_jws(std::string_view token) {
  if (token.empty() || token.size() > kMaxJwsBytes) return malformed_token();
  const auto first = token.find('.');
  if (first == std::string_view::npos) return malformed_token();
  const auto second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return malformed_token();
  }
  JwsParts parts;
  parts.header_b64 = token.substr(0, first);
  parts.payload_b64 = token.substr(first + 1, second - first - 1);
  parts.signature_b64 = token.substr(second + 1);
  parts.signing_input = token.substr(0, second);
  if (parts.header_b64.empty() || parts.payload_b64.empty() || !is_base64url_text(parts.header_b64) ||
      !is_base64url_text(parts.payload_b64) || !is_base64url_text(parts.signature_b64)) {
    return malformed_token();
  }
  return parts;
}

core::Result<JwsHeader> parse_jws_header(const JwsParts& parts) {
  auto bytes = core::base64url_decode(parts.header_b64);
  if (!bytes) return malformed_header();
  boost::system::error_code ec;
  json::value root = json::parse(core::as_chars(*bytes), ec);
  if (ec || !root.is_object()) return malformed_header();
  const json::object& header = root.get_object();

  if (header.contains("crit")) return core::Error::unauthenticated("unsupported critical header");

  const json::value* alg = header.if_contains("alg");
  if (alg == nullptr || !alg->is_string()) return malformed_header();
  auto kid = header_string(header, "kid");
  if (!kid) return kid.error();
  auto typ = header_string(header, "typ");
  if (!typ) return typ.error();
  return JwsHeader{std::string(alg->get_string()), std::move(*kid), std::move(*typ)};
}

core::Result<void> verify_jws_signature(const JwsParts& parts, const core::Secret& hs256_key) {
  auto signature = core::base64url_decode(parts.signature_b64);
  if (!signature) return bad_signature();
  const crypto::Digest mac =
      crypto::hmac_sha256(hs256_key.reveal(), core::as_bytes(parts.signing_input));
  if (!crypto::constant_time_equal(mac, *signature)) return bad_signature();
  return core::ok();
}

core::Result<void> verify_jws_signature(const JwsParts& parts, const PublicKey& key) {
  auto signature = core::base64url_decode(parts.signature_b64);
  if (!signature) return bad_signature();

  core::Bytes der;
  const core::Bytes* to_verify = &*signature;
  switch (key.algorithm()) {
    case JwsAlgorithm::rs256:
      if (signature->size() != static_cast<std::size_t>(EVP_PKEY_get_size(key.evp_pkey()))) {
        return bad_signature();
      }
      break;
    case JwsAlgorithm::es256: {
      auto converted = ecdsa_p1363_to_der(*signature);
      if (!converted) return converted.error();
      der = std::move(*converted);
      to_verify = &der;
      break;
    }
    case JwsAlgorithm::hs256:
      return bad_signature();  // a public key is never an HMAC key
  }

  detail::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr,
                                      key.evp_pkey(), nullptr) != 1) {
    return bad_signature();
  }
  const auto input = core::as_bytes(parts.signing_input);
  if (EVP_DigestVerify(ctx.get(), to_verify->data(), to_verify->size(), input.data(), input.size()) !=
      1) {
    return bad_signature();
  }
  return core::ok();
}

}  // namespace keyrelay::auth
