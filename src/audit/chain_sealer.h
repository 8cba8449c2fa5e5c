#pragma once
// KeyringChainSealer: links audit events into their chain with the audit key of the keyring's
// active master version (store::ChainSealer; the store calls it inside the append transaction).
//
// Thread-safe: seal may run concurrently with itself and with replace_keyring; the keys and the
// keyring pointer live in AuditKeys (one mutex, never held during HKDF or HMAC). Shares ownership
// of the keyring.

#include <memory>

#include "audit/audit_key.h"
#include "core/result.h"
#include "crypto/keyring.h"
#include "store/audit_chain_sealer.h"

namespace keyrelay::audit {

class KeyringChainSealer final : public store::ChainSealer {
 public:
  // `keyring` must not be null.
  explicit KeyringChainSealer(std::shared_ptr<const crypto::Keyring> keyring);

  // Swaps in a reloaded keyring (must not be null); later seals use its active version and the
  // cached audit keys of the old keyring are wiped. Seals already running finish with the old one.
  void replace_keyring(std::shared_ptr<const crypto::Keyring> keyring);
  std::shared_ptr<const crypto::Keyring> keyring() const;

  // store::ChainSealer
  // Sets event.master_version to the active version, then event.hash to
  // chain_link(audit_key[active], prev_hash, event.seq, canonical_event(event)).
  // Errc::internal (a store bug, nothing is set) when event.seq < 1, or when `prev_hash` is empty
  // for seq > 1 or present for seq 1; Errc::internal if the audit key cannot be derived.
  core::Result<void> seal(store::AuditEvent& event, core::ByteView prev_hash) const override;
  // Sets checkpoint.master_version to the active version and checkpoint.mac to
  // checkpoint_mac(audit_key[active], checkpoint).
  core::Result<void> seal_checkpoint(store::AuditCheckpoint& checkpoint) const override;

 private:
  AuditKeys keys_;
};

}  // namespace keyrelay::audit
