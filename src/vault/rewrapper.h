#pragma once
// Rewrapper: moves every provider key onto the sealing master-key version, in batches, while
// servers keep serving. Each key is opened in full (so a tampered row is found, audited and taken
// out of service instead of being carried forward), its data key is re-wrapped under the new
// version and its fingerprint recomputed under the new fingerprint key. A batch is one store
// transaction; a row changed meanwhile (rotated, deleted) is skipped and picked up again.
//
// Not thread-safe (one run at a time); blocking.

#include <cstddef>
#include <string>
#include <vector>

#include "core/result.h"
#include "crypto/envelope.h"
#include "store/rotation_store.h"
#include "store/user_store.h"
#include "vault/key_service.h"

namespace keyrelay::vault {

struct RewrapOptions {
  std::size_t batch_size = 100;  // keys per store transaction
  std::size_t threads = 1;       // not used yet: one thread does the crypto
};

struct RewrapReport {
  std::size_t rewrapped = 0;
  std::vector<std::string> failed_key_ids;  // keys whose secret no longer opens (now marked invalid)
};

class Rewrapper {
 public:
  // `users` gives each owner's fingerprint salt.
  Rewrapper(store::RotationStore& rotation, store::UserStore& users, const crypto::Envelope& envelope, KeyService& keys,
            RewrapOptions options = {})
      : rotation_(rotation), users_(users), envelope_(envelope), keys_(keys), batch_size_(options.batch_size) {}

  // Re-wraps until no key (other than failed ones) is on another version than `to_version`, which
  // must be the envelope keyring's sealing version.
  core::Result<RewrapReport> run(const Caller& caller, std::uint32_t to_version);

 private:
  store::RotationStore& rotation_;
  store::UserStore& users_;
  const crypto::Envelope& envelope_;
  KeyService& keys_;
  std::size_t batch_size_;
};

}  // namespace keyrelay::vault
