#include "audit/audit_key.h"

#include <cassert>
#include <utility>

#include "crypto/hkdf.h"

namespace keyrelay::audit {

std::string missing_version_message(std::uint32_t version) {
  return "master key version " + std::to_string(version) + " is not in the keyring";
}

core::Result<core::Secret> derive_audit_key(const crypto::Keyring& keyring, std::uint32_t version) {
  auto master = keyring.key(version);
  if (!master) {
    // A retired version has dropped its master key and kept only the audit key derived from it,
    // so the rows it sealed keep verifying.
    auto retired = keyring.retired_audit_key(version);
    if (!retired) return core::Error::not_found(missing_version_message(version));
    return core::Secret(*retired);
  }
  auto key = crypto::hkdf_sha256(*master, {}, core::as_bytes(kAuditKeyInfo), kAuditKeySize);
  if (!key) return core::Error::internal("cannot derive the audit key: " + key.error().message);
  return key;
}

AuditKeys::AuditKeys(std::shared_ptr<const crypto::Keyring> keyring) : keyring_(std::move(keyring)) {
  assert(keyring_ != nullptr);
}

void AuditKeys::replace_keyring(std::shared_ptr<const crypto::Keyring> keyring) {
  assert(keyring != nullptr);
  std::shared_ptr<const crypto::Keyring> old;
  std::map<std::uint32_t, core::Secret> dropped;
  {
    std::lock_guard lock(mutex_);
    old = std::exchange(keyring_, std::move(keyring));
    dropped.swap(cache_);
    ++generation_;
  }
  // `old` and `dropped` (wiped by ~Secret) are released here, outside the lock.
}

std::shared_ptr<const crypto::Keyring> AuditKeys::keyring() const {
  std::lock_guard lock(mutex_);
  return keyring_;
}

AuditKeys::Snapshot AuditKeys::snapshot() const {
  std::lock_guard lock(mutex_);
  return {keyring_, generation_};
}

core::Result<core::Secret> AuditKeys::key_from(const Snapshot& snap, std::uint32_t version) const {
  {
    std::lock_guard lock(mutex_);
    if (snap.generation == generation_) {
      if (auto it = cache_.find(version); it != cache_.end()) return it->second.clone();
    }
  }
  auto key = derive_audit_key(*snap.keyring, version);
  if (!key) return key;
  std::lock_guard lock(mutex_);
  // A key of a keyring that was replaced meanwhile is used once but never cached.
  if (snap.generation == generation_) cache_.try_emplace(version, key->clone());
  return key;
}

core::Result<AuditKeys::VersionedKey> AuditKeys::active_key() const {
  const auto snap = snapshot();
  const std::uint32_t version = snap.keyring->active_version();
  auto key = key_from(snap, version);
  if (!key) return key.error();
  return VersionedKey{version, std::move(*key)};
}

core::Result<core::Secret> AuditKeys::key(std::uint32_t version) const {
  return key_from(snapshot(), version);
}

std::size_t AuditKeys::cached() const {
  std::lock_guard lock(mutex_);
  return cache_.size();
}

}  // namespace keyrelay::audit
