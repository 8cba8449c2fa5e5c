#pragma once
// Rewrapper: moves every provider key onto the sealing master-key version while servers keep
// serving — the last step of `keyrelay master-key rotate`.
//
// Each key is opened in full (Envelope::rewrap_verified: the data key's and the secret's GCM tags
// are both checked, and the fingerprint needs the plaintext anyway), so a tampered row is found,
// audited and taken out of service (KeyService::open_secret does that) instead of being carried
// forward; its data key is re-wrapped under the new version and its fingerprint recomputed under
// the new fingerprint key. The sealed secret itself is not touched.
//
// How it is fast (docs/decisions.md, "Fast master-key re-wrap"): one sweep over the keys in id
// order (keyset pages, no OFFSET), `batch_size` keys per store transaction; the crypto of a batch
// spread over a WorkPool, each owner's salt read once per run; the read of the next page and the
// writes of earlier batches (up to `writers` at once) overlap the crypto of the current one. A row changed meanwhile
// (rotated, re-wrapped, deleted) is skipped by the store's compare-and-set; after the sweep, the
// rows still on another version (those, and keys a lagging server sealed under the old version
// behind the sweep) are taken up again until only failed ones are left.
//
// Not thread-safe (one run at a time); blocking.

#include <cstddef>
#include <string>
#include <vector>

#include "core/result.h"
#include "crypto/envelope.h"
#include "store/key_inventory_store.h"
#include "store/rotation_store.h"
#include "store/user_store.h"
#include "vault/key_service.h"

namespace keyrelay::vault {

struct RewrapOptions {
  std::size_t batch_size = 10000;  // keys per store transaction (and per page read)
  std::size_t writers = 2;         // batches written at once (own transactions, own connections)
  std::size_t threads = 0;        // threads for the per-key crypto, the caller's included; 0: one per core
};

struct RewrapReport {
  std::size_t rewrapped = 0;
  std::vector<std::string> failed_key_ids;  // keys whose secret no longer opens (now marked invalid)
};

class Rewrapper {
 public:
  // `inventory` pages through every owner's keys; `users` gives each owner's salt; `keys` opens
  // (and, when tampered, takes out of service) a key the fast path could not re-wrap.
  Rewrapper(store::RotationStore& rotation, store::KeyInventoryStore& inventory, store::UserStore& users,
            const crypto::Envelope& envelope, KeyService& keys, RewrapOptions options = {})
      : rotation_(rotation), inventory_(inventory), users_(users), envelope_(envelope), keys_(keys), options_(options) {}

  // Re-wraps until no key (other than failed ones) is on another version than `to_version`, which
  // must be the envelope keyring's sealing version.
  core::Result<RewrapReport> run(const audit::Actor& caller, std::uint32_t to_version);

 private:
  store::RotationStore& rotation_;
  store::KeyInventoryStore& inventory_;
  store::UserStore& users_;
  const crypto::Envelope& envelope_;
  KeyService& keys_;
  RewrapOptions options_;
};

}  // namespace keyrelay::vault
