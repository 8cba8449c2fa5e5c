// The operator's key set (KEYRELAY_JWT_JWKS_FILE): Jwks::parse and, on the same text, a single JWK.
// Input: the JSON text.
// Checks: a refusal is invalid_request with a message fit for a JSON log line (UTF-8 valid); an
// accepted set holds public keys only, each findable by its kid, kids unique.

#include <cstdint>
#include <string>
#include <string_view>

#include "auth/jwk.h"
#include "auth/jwks.h"
#include "fuzz_input.h"

namespace {

using namespace keyrelay;

void check_refusal(const core::Error& error) {
  FUZZ_CHECK(error.code == core::Errc::invalid_request);
  FUZZ_CHECK(fuzz::is_utf8(error.message));
}

void check_key(const auth::PublicKey& key) {
  FUZZ_CHECK(key.pem().starts_with("-----BEGIN PUBLIC KEY-----"));
  FUZZ_CHECK(key.evp_pkey() != nullptr);
  FUZZ_CHECK(key.algorithm() != auth::JwsAlgorithm::hs256);
  if (key.algorithm() == auth::JwsAlgorithm::rs256) FUZZ_CHECK(key.bits() >= auth::kMinRsaBits && key.bits() <= auth::kMaxRsaBits);
  if (key.algorithm() == auth::JwsAlgorithm::es256) FUZZ_CHECK(key.bits() == 256);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto set = auth::Jwks::parse(text)) {
    FUZZ_CHECK(set->size() >= 1);
    for (const auto& key : set->keys()) {
      check_key(key);
      if (key.kid()) FUZZ_CHECK(set->find(*key.kid()) == &key);
      else FUZZ_CHECK(set->size() == 1 && set->find(std::nullopt) == &key);
    }
  } else {
    check_refusal(set.error());
  }

  if (auto key = auth::PublicKey::from_jwk_json(text)) check_key(*key);
  else check_refusal(key.error());
  return 0;
}
