#pragma once
// A public verification key read from a JSON Web Key (RFC 7517, RFC 7518 §6), pinned to the one
// JWS algorithm keyrelay accepts for its type:
//   kty "RSA" (n, e; 2048..8192 bits, e >= 65537)  → RS256 only
//   kty "EC"  (crv "P-256", x, y of up to 32 bytes) → ES256 only
// Symmetric ("oct") JWKs are refused: HS256 is accepted only from the configured secret, never from
// a key set. A JWK that carries private members (d, p, q, ...) is refused too: a verifier's key set
// must hold public keys only. The key is converted once, at load, to an EVP_PKEY (OpenSSL's
// EVP_PKEY_fromdata, checked with EVP_PKEY_public_check) and to SubjectPublicKeyInfo PEM for libjwt.
//
// Immutable after construction and safe to share between threads for verification. Move-only;
// owns its EVP_PKEY.

#include <openssl/types.h>

#include <boost/json/fwd.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace keyrelay::auth {

// The JWS algorithms keyrelay verifies. Every key is pinned to exactly one of them.
enum class JwsAlgorithm { hs256, rs256, es256 };

// "HS256", "RS256", "ES256".
std::string_view jws_algorithm_name(JwsAlgorithm alg) noexcept;
// The algorithm spelled exactly `name` (JWS names are case-sensitive), or nullopt.
std::optional<JwsAlgorithm> parse_jws_algorithm(std::string_view name) noexcept;

inline constexpr int kMinRsaBits = 2048;
inline constexpr int kMaxRsaBits = 8192;  // larger moduli only make verification slow

class PublicKey {
 public:
  // Reads one JWK object. Errc::invalid_request with a short reason (which member, which rule) for
  // an unsupported kty or curve, missing or badly encoded members (base64url must be strict and
  // unpadded), an RSA key under 2048 bits, a point not on the curve, private members, or `use` /
  // `alg` / `key_ops` that contradict the pinned algorithm. Never puts key material in a message.
  static core::Result<PublicKey> from_jwk(const boost::json::object& jwk);
  // The same for the JWK's JSON text. Errc::invalid_request also when it is not a JSON object.
  static core::Result<PublicKey> from_jwk_json(std::string_view json);

  PublicKey(PublicKey&&) noexcept = default;
  PublicKey& operator=(PublicKey&&) noexcept = default;
  PublicKey(const PublicKey&) = delete;
  PublicKey& operator=(const PublicKey&) = delete;
  ~PublicKey() = default;

  // The JWK's "kid", or nullopt when it has none.
  const std::optional<std::string>& kid() const noexcept { return kid_; }
  JwsAlgorithm algorithm() const noexcept { return algorithm_; }
  // Modulus size for RSA, 256 for P-256.
  int bits() const noexcept { return bits_; }
  // Borrowed; valid while this PublicKey lives. Safe for concurrent verification.
  EVP_PKEY* evp_pkey() const noexcept { return pkey_.get(); }
  // "-----BEGIN PUBLIC KEY-----..." (SubjectPublicKeyInfo), the form libjwt 1.10 takes.
  const std::string& pem() const noexcept { return pem_; }

 private:
  struct PkeyDeleter {
    void operator()(EVP_PKEY* pkey) const noexcept;
  };
  using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

  PublicKey(std::optional<std::string> kid, JwsAlgorithm alg, PkeyPtr pkey, std::string pem);

  std::optional<std::string> kid_;
  JwsAlgorithm algorithm_;
  int bits_ = 0;
  PkeyPtr pkey_;
  std::string pem_;
};

}  // namespace keyrelay::auth
