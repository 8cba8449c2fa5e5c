#pragma once
// Independent JWTs for the verifier tests, minted at test time by PyJWT (Debian's python3-jwt with
// python3-cryptography, run as /usr/bin/python3: the python on PATH may be another one without
// them). One python run per call generates a fresh RSA-2048 and P-256 key pair, exports the public
// JWKs with PyJWT's RSAAlgorithm.to_jwk / ECAlgorithm.to_jwk, and signs every requested token.
// Hostile tokens that PyJWT refuses to make (alg "none", HS256 keyed with a PEM) are built by hand
// in the same script with Python's hmac module.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "core/result.h"

namespace keyrelay::auth::test {

inline constexpr std::string_view kPythonRsaKid = "rsa-1";
inline constexpr std::string_view kPythonEcKid = "ec-1";

enum class Signer {
  rsa,                // jwt.encode(..., rsa_private_key, "RS256")
  ec,                 // jwt.encode(..., ec_private_key, "ES256")
  hs256,              // jwt.encode(..., hs256_secret, "HS256")
  hmac_with_rsa_pem,  // by hand: HMAC-SHA256 keyed with the RSA public key's PEM, header alg "HS256"
  unsigned_none,      // by hand: header alg "none" and an empty signature
};

struct TokenRequest {
  std::string name;             // key in MintedTokens::tokens
  Signer signer = Signer::rsa;
  boost::json::object headers;  // extra protected header members ("kid", ...)
  boost::json::object claims;
};

struct MintedTokens {
  std::string jwks_json;       // {"keys":[RSA with kid "rsa-1", EC with kid "ec-1"]}
  std::string rsa_public_pem;  // SubjectPublicKeyInfo PEM of the RSA key
  std::map<std::string, std::string> tokens;

  // The token minted for `name`; throws std::out_of_range when there is none.
  const std::string& token(const std::string& name) const { return tokens.at(name); }
};

// Runs the minting script once in `work_dir` (which must exist; files are written there).
// Errc::internal with python's stderr and an install hint when /usr/bin/python3, PyJWT or
// cryptography is missing or the script fails.
core::Result<MintedTokens> mint_with_python(const std::vector<TokenRequest>& requests,
                                            std::string_view hs256_secret,
                                            const std::filesystem::path& work_dir);

}  // namespace keyrelay::auth::test
