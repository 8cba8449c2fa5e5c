#pragma once
// The keys of the audit hash chain: audit_key[v] = HKDF-SHA256(ikm = master[v], salt = empty,
// info = "keyrelay/audit/v1"), 32 bytes. Each event stores the v it was sealed with, so rows
// sealed before a master-key rotation keep verifying while the old version is in the keyring, and
// rewriting the chain needs the keyring, not just write access to the database.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/secret.h"
#include "crypto/keyring.h"

namespace keyrelay::audit {

inline constexpr std::string_view kAuditKeyInfo = "keyrelay/audit/v1";
inline constexpr std::size_t kAuditKeySize = 32;

// The audit key of master version `version`: derived from its master key, or for a retired
// version (master key dropped) the audit key the keyring kept for it. Errc::not_found (message:
// "master key version N is not in the keyring") when `keyring` holds neither; Errc::internal if
// HKDF fails.
core::Result<core::Secret> derive_audit_key(const crypto::Keyring& keyring, std::uint32_t version);

// "master key version N is not in the keyring": the message of derive_audit_key's not_found and
// the verifier's reason for such a row.
std::string missing_version_message(std::uint32_t version);

// AuditKeys: the audit keys of one shared keyring, derived once per version and cached.
//
// Thread-safe: one mutex guards the keyring pointer and the cache; it is never held during HKDF.
// Replacing the keyring wipes the cache, and a key derived from the old keyring while the
// replacement happened is not cached. Shares ownership of the keyring; cached keys are
// core::Secret (wiped when dropped) and callers get their own copy.
class AuditKeys {
 public:
  struct VersionedKey {
    std::uint32_t version = 0;
    core::Secret key;
  };

  // `keyring` must not be null.
  explicit AuditKeys(std::shared_ptr<const crypto::Keyring> keyring);
  AuditKeys(const AuditKeys&) = delete;
  AuditKeys& operator=(const AuditKeys&) = delete;

  // Swaps in a reloaded keyring (must not be null) and wipes every cached key. Calls already
  // running finish with the keyring they started with.
  void replace_keyring(std::shared_ptr<const crypto::Keyring> keyring);
  std::shared_ptr<const crypto::Keyring> keyring() const;

  // The active version of the current keyring and its audit key, taken from one keyring (never a
  // version of one and the key of another). Errors as derive_audit_key.
  core::Result<VersionedKey> active_key() const;

  // The audit key of `version`. Errors as derive_audit_key.
  core::Result<core::Secret> key(std::uint32_t version) const;

  // How many versions are cached (for tests).
  std::size_t cached() const;

 private:
  struct Snapshot {
    std::shared_ptr<const crypto::Keyring> keyring;
    std::uint64_t generation = 0;
  };

  Snapshot snapshot() const;
  core::Result<core::Secret> key_from(const Snapshot& snap, std::uint32_t version) const;

  mutable std::mutex mutex_;
  std::shared_ptr<const crypto::Keyring> keyring_;        // guarded by mutex_
  std::uint64_t generation_ = 0;                          // guarded by mutex_; +1 per replace
  mutable std::map<std::uint32_t, core::Secret> cache_;   // guarded by mutex_
};

}  // namespace keyrelay::audit
