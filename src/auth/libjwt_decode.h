#pragma once
// libjwt 1.10 behind one call, with its hazards handled in one place:
//  * jwt_decode takes the algorithm from the token's own header. Given the RSA public key PEM as
//    "key", it verifies an HS256 token whose HMAC key is that PEM (algorithm confusion). So the
//    result is refused unless jwt_get_alg() is the algorithm the key is pinned to.
//  * With no key (NULL/0), jwt_decode of a signed token skips verification, succeeds, and reports
//    alg "none". So an empty key is refused before libjwt is called.
//  * It copies the token and each segment with strdup/alloca: callers bound the length
//    (kMaxJwsBytes) and the text must not contain NUL.
//  * It refuses a "typ" other than "JWT" and payloads that are not JSON objects or arrays.
//
// Thread-safe (no shared state); every libjwt object is freed by RAII before return.

#include <string>
#include <string_view>

#include "auth/jwk.h"
#include "core/bytes.h"
#include "core/result.h"

namespace keyrelay::auth {

// Decodes and verifies `token` with libjwt's jwt_decode using `key` (HS256: the secret's bytes;
// RS256/ES256: the key's PEM), then returns the payload as libjwt parsed it, re-serialized as
// compact JSON. Errc::unauthenticated: "invalid token" when libjwt refuses it (bad signature,
// header or payload), "algorithm not allowed" when libjwt verified it with an algorithm other than
// `pinned`, "malformed token" for an empty key, an over-long token or one containing NUL.
core::Result<std::string> libjwt_decode(std::string_view token, core::ByteView key,
                                        JwsAlgorithm pinned);

}  // namespace keyrelay::auth
