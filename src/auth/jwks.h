#pragma once
// A JSON Web Key Set (RFC 7517 §5) of public verification keys, loaded once from the operator's
// KEYRELAY_JWT_JWKS_FILE: {"keys": [ {kty, kid, ...}, ... ]}.
//
// Rules beyond each key's own (see jwk.h): the set is not empty; key ids are unique; a key without
// a "kid" is allowed only when it is the only key (so a token can never be matched to a key it did
// not name by accident). Members other than "keys" are ignored.
//
// Immutable after load; safe to share between threads. Move-only; owns its keys.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "auth/jwk.h"
#include "core/result.h"

namespace keyrelay::auth {

inline constexpr std::size_t kMaxJwksFileBytes = 1 << 20;

class Jwks {
 public:
  // Parses a key set from JSON text. Errc::invalid_request naming the key at fault ("key #2 (kid
  // 'abc'): RSA key has 1024 bits; ...") when the text is not a key set or any key breaks a rule:
  // one bad key refuses the whole set, so a typo is noticed at start rather than at first login.
  static core::Result<Jwks> parse(std::string_view json);
  // Reads and parses `file` (at most 1 MiB). Errc::not_found when it does not exist,
  // Errc::internal when it cannot be read, Errc::invalid_request as parse(); messages name the file.
  static core::Result<Jwks> load(const std::filesystem::path& file);

  // The key a token header selects. With `kid`: the key with exactly that id, or null. Without:
  // the only key when the set has exactly one, otherwise null (ambiguous). The pointer is valid
  // while this Jwks lives.
  const PublicKey* find(std::optional<std::string_view> kid) const noexcept;

  std::size_t size() const noexcept { return keys_.size(); }
  const std::vector<PublicKey>& keys() const noexcept { return keys_; }

 private:
  explicit Jwks(std::vector<PublicKey> keys) : keys_(std::move(keys)) {}

  std::vector<PublicKey> keys_;
};

}  // namespace keyrelay::auth
