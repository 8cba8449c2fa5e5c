#include "audit/chain_sealer.h"

#include <string>
#include <utility>

#include "audit/canonical.h"

namespace keyrelay::audit {

KeyringChainSealer::KeyringChainSealer(std::shared_ptr<const crypto::Keyring> keyring)
    : keys_(std::move(keyring)) {}

void KeyringChainSealer::replace_keyring(std::shared_ptr<const crypto::Keyring> keyring) {
  keys_.replace_keyring(std::move(keyring));
}

std::shared_ptr<const crypto::Keyring> KeyringChainSealer::keyring() const { return keys_.keyring(); }

core::Result<void> KeyringChainSealer::seal(store::AuditEvent& event, core::ByteView prev_hash) const {
  if (event.seq < 1) {
    return core::Error::internal("audit event " + event.id + " has no sequence number");
  }
  if ((event.seq == 1) != prev_hash.empty()) {
    return core::Error::internal("audit event " + event.id + " at seq " + std::to_string(event.seq) +
                                 (prev_hash.empty() ? " has no previous hash" : " is first but has a previous hash"));
  }
  auto active = keys_.active_key();
  if (!active) {
    // The active version is always in its own keyring, so this is an HKDF failure.
    return core::Error::internal(active.error().message);
  }
  event.master_version = active->version;
  const auto link = chain_link(active->key.reveal(), prev_hash, event.seq, canonical_event(event));
  event.hash.assign(link.begin(), link.end());
  return core::ok();
}

core::Result<void> KeyringChainSealer::seal_checkpoint(store::AuditCheckpoint& checkpoint) const {
  if (checkpoint.seq < 1 || checkpoint.hash.empty())
    return core::Error::internal("audit checkpoint of " + checkpoint.chain + " names no event");
  auto active = keys_.active_key();
  if (!active) return core::Error::internal(active.error().message);
  checkpoint.master_version = active->version;
  const auto mac = checkpoint_mac(active->key.reveal(), checkpoint);
  checkpoint.mac.assign(mac.begin(), mac.end());
  return core::ok();
}

}  // namespace keyrelay::audit
