// KeyService: opening a stored secret for one provider call. The part that never blocks
// (open_secret_now) runs on the caller's thread — an I/O thread in the gateway; what would block
// (loading an owner's salt, reloading the keyring, recording a tampered secret) is finish_open()'s.

#include "vault/key_service.h"

#include "vault/key_cache.h"
#include "vault/sealed_key.h"

namespace keyrelay::vault {

using core::Error;
using core::Result;
using store::KeyRecord;

namespace {

Error version_not_loaded(const KeyRecord& key) {
  return Error::unavailable("key " + key.id + " is sealed under master key version " +
                            std::to_string(key.master_version) + ", which this server has not loaded");
}

}  // namespace

std::optional<core::Bytes> KeyService::cached_salt(std::string_view owner_id) {
  std::lock_guard lock(salts_mutex_);
  if (auto it = salts_.find(std::string(owner_id)); it != salts_.end()) return it->second;
  return std::nullopt;
}

bool KeyService::claim_reload() {
  const auto now = clock_.steady_now();
  std::lock_guard lock(reload_mutex_);
  if (last_reload_ && now - *last_reload_ < reload_interval_) return false;
  last_reload_ = now;
  return true;
}

QuickOpen KeyService::try_open(const KeyRecord& key, core::ByteView salt, bool may_reload) {
  const auto started = std::chrono::steady_clock::now();
  auto secret = envelope_.open(sealed_of(key), binding_of(key), salt);
  const auto observe = [&] {
    if (on_decrypt_) on_decrypt_(secret.has_value(), std::chrono::steady_clock::now() - started);
  };
  if (secret) {
    observe();
    return {SlowStep::none, std::move(secret)};
  }
  switch (crypto::open_failure(secret.error())) {
    case crypto::OpenFailure::transient:
      observe();
      // Nothing is wrong with the key: it stays in service and the caller may try again.
      return {SlowStep::none, Error::unavailable("the secret of key " + key.id + " cannot be decrypted right now; try again")};
    case crypto::OpenFailure::unknown_version:
      // Another node rotated the master key. One reload per interval in the whole process; until
      // then such a key fails at once and the caller moves on.
      if (may_reload && refresh_keyring_ && claim_reload()) return {SlowStep::reload_keyring};
      observe();
      return {SlowStep::none, version_not_loaded(key)};
    case crypto::OpenFailure::integrity:
      break;
  }
  observe();
  return {SlowStep::record_tampering};
}

QuickOpen KeyService::open_secret_now(const audit::Actor&, const KeyRecord& key) {
  auto salt = cached_salt(key.owner_id);
  if (!salt) return {SlowStep::load_owner};
  return try_open(key, *salt, true);
}

Result<core::Secret> KeyService::finish_open(const audit::Actor& caller, const KeyRecord& key, SlowStep step) {
  bool reloaded = false;
  for (;;) {
    switch (step) {
      case SlowStep::none:
      case SlowStep::load_owner:
        break;  // owner_salt() below loads it
      case SlowStep::reload_keyring:
        // Whether or not this call installed anything, the keyring may be newer now (the periodic
        // check, another request): open once more, without another reload.
        (void)refresh_keyring_();
        reloaded = true;
        break;
      case SlowStep::record_tampering:
        return record_tampering(caller, key);
    }
    auto salt = owner_salt(key.owner_id);
    if (!salt) return salt.error();
    auto next = try_open(key, *salt, !reloaded);
    if (next.pending == SlowStep::none) return std::move(next.secret);
    step = next.pending;
  }
}

Result<core::Secret> KeyService::open_secret(const audit::Actor& caller, const KeyRecord& key) {
  auto quick = open_secret_now(caller, key);
  if (quick.pending == SlowStep::none) return std::move(quick.secret);
  return finish_open(caller, key, quick.pending);
}

Result<core::Secret> KeyService::record_tampering(const audit::Actor& caller, const KeyRecord& key) {
  // Authentication failed: the stored bytes were changed or moved. Record it, take the key out of
  // service, and report it without details (the log line carries the key id, never bytes).
  // Only the secret that failed is taken out of service: a key rotated since keeps its new one.
  const auto now = clock_.now();
  auto marked = keys_.update_key_at_version(
      key.owner_id, key.id, key.version, [&](KeyRecord& k) -> Result<store::AuditEvent> {
        k.validation.state = store::ValidationState::invalid;
        k.validation.checked_at = now;
        k.validation.message = "the stored secret failed its integrity check; rotate this key";
        k.updated_at = now;
        return event(caller, "key.decrypt_failed", store::Outcome::failure, &k);
      });
  if (!marked || !marked->applied) {
    // Not marked (the store failed, or the key has a newer secret): the failure is still audited.
    std::vector<store::AuditEvent> events;
    events.push_back(event(caller, "key.decrypt_failed", store::Outcome::failure, &key));
    (void)audit_.append_audit(std::move(events));
  }
  invalidate(key.owner_id);
  if (!marked || marked->applied) {
    if (on_decrypt_failure_) on_decrypt_failure_(caller, key);
  }
  return Error::internal("stored secret of key " + key.id + " failed to decrypt");
}

Result<void> KeyService::prepare_owner(std::string_view owner_id) {
  auto salt = owner_salt(owner_id);
  if (!salt) return salt.error();
  return core::ok();
}

}  // namespace keyrelay::vault
