#include "auth/libjwt_decode.h"

#include <jwt.h>
#include <openssl/err.h>

#include <cstdlib>
#include <limits>
#include <memory>

#include "auth/jws.h"

namespace keyrelay::auth {
namespace {

struct JwtDeleter {
  void operator()(jwt_t* jwt) const noexcept { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

// Strings that libjwt (jansson) allocates with malloc and the caller must free().
struct MallocDeleter {
  void operator()(char* p) const noexcept { std::free(p); }
};
using MallocString = std::unique_ptr<char, MallocDeleter>;

jwt_alg_t libjwt_alg(JwsAlgorithm alg) noexcept {
  switch (alg) {
    case JwsAlgorithm::hs256: return JWT_ALG_HS256;
    case JwsAlgorithm::rs256: return JWT_ALG_RS256;
    case JwsAlgorithm::es256: return JWT_ALG_ES256;
  }
  return JWT_ALG_INVAL;
}

}  // namespace

core::Result<std::string> libjwt_decode(std::string_view token, core::ByteView key,
                                        JwsAlgorithm pinned) {
  if (key.empty() || key.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return core::Error::unauthenticated("malformed token");
  }
  if (token.empty() || token.size() > kMaxJwsBytes || token.find('\0') != std::string_view::npos) {
    return core::Error::unauthenticated("malformed token");
  }

  const std::string text(token);  // jwt_decode wants a NUL-terminated string
  jwt_t* raw = nullptr;
  const int rc = jwt_decode(&raw, text.c_str(), key.data(), static_cast<int>(key.size()));
  JwtPtr jwt(raw);
  if (rc != 0 || !jwt) {
    ERR_clear_error();  // libjwt leaves OpenSSL's reasons on this thread's queue
    return core::Error::unauthenticated("invalid token");
  }

  // Algorithm-confusion defence: what libjwt actually verified with must be the pinned algorithm.
  if (jwt_get_alg(jwt.get()) != libjwt_alg(pinned)) {
    return core::Error::unauthenticated("algorithm not allowed");
  }

  MallocString grants(jwt_get_grants_json(jwt.get(), nullptr));
  if (!grants) return core::Error::unauthenticated("invalid token");
  return std::string(grants.get());
}

}  // namespace keyrelay::auth
