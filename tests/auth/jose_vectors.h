#pragma once
// Loading the published JOSE examples copied into tests/vectors (RFC 7515 A.1/A.3, RFC 7520
// 4.1/4.4; see shared/vectors/README.md), and small JWK helpers for the auth tests.

#include <boost/json.hpp>
#include <string>
#include <string_view>

namespace keyrelay::auth::test {

// The parsed JSON of `file` in KEYRELAY_TEST_VECTORS. Throws (failing the test) when the file is
// missing or is not JSON.
boost::json::value load_vector(std::string_view file);

// `jwk` without its private members (d, p, q, dp, dq, qi, oth, k): what a key set would publish.
boost::json::object public_jwk(boost::json::object jwk);

// `text` with the bit `bit` (0 = lowest) of the decoded byte at `byte_index` flipped, re-encoded as
// base64url: a one-bit change of a token segment.
std::string flip_bit_b64url(std::string_view text, std::size_t byte_index, int bit = 0);

}  // namespace keyrelay::auth::test
