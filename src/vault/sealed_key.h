#pragma once
// What a stored key's row means to the envelope: the binding its secret is sealed to (so a row
// copied onto another key, owner, provider or secret version does not open) and its sealed parts.
// One place, so sealing, opening and re-wrapping can never bind a secret differently.

#include "crypto/envelope.h"
#include "store/records.h"

namespace keyrelay::vault {

inline crypto::SecretBinding binding_of(const store::KeyRecord& key) {
  return {key.id, key.owner_id, key.provider, key.version};
}

inline crypto::SealedSecret sealed_of(const store::KeyRecord& key) {
  return {key.wrapped_data_key, key.sealed_secret, key.master_version};
}

}  // namespace keyrelay::vault
