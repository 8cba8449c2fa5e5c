#pragma once
// KeyService: the lifecycle rules of provider keys — create, read, list, update, rotate, delete,
// expiring, open — for a user's own keys and for the operator's default keys (owned by the system
// user). Every change is one store transaction together with its audit event; reads of a single key
// are audited too, and fail closed when their event cannot be written.
//
// Thread-safe. Blocking (store calls): on a worker thread only, but open_secret_now() never blocks.
// `store`, `envelope`, `clock` and `cache` (may be null) must outlive the service.
//
// Errors: invalid_request (bad input, unknown provider), not_found (no such key of this owner),
// conflict (name or secret already stored), unavailable / internal from the store or keyring.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "audit/actor.h"
#include "catalog/catalog.h"
#include "core/clock.h"
#include "core/result.h"
#include "core/secret.h"
#include "crypto/envelope.h"
#include "store/audit_append_store.h"
#include "store/key_store.h"
#include "store/user_store.h"

namespace keyrelay::vault {

class KeyCache;

struct NewKey {
  std::string provider;
  std::optional<std::string> name;  // "default" when absent
  core::Secret secret;
  std::optional<store::TimePoint> expires_at;
  std::int32_t priority = 0;
  bool always_use = false;
  std::string metadata_json = "{}";
};

struct KeyPatch {
  std::optional<std::string> name;
  std::optional<std::optional<store::TimePoint>> expires_at;  // engaged-with-nullopt clears it
  std::optional<std::int32_t> priority;
  std::optional<bool> always_use;
  std::optional<bool> enabled;
  std::optional<std::string> metadata_json;
  bool empty() const noexcept {
    return !name && !expires_at && !priority && !always_use && !enabled && !metadata_json;
  }
};

struct KeyQuery {
  std::optional<std::string> provider;
  std::optional<store::KeyStatus> status;
  store::PageRequest page;
};

// What open_secret_now() left to do because it would block; finish_open() does it.
enum class SlowStep {
  none,
  load_owner,        // the owner's salt is not cached yet (a store read)
  reload_keyring,    // sealed under a master version this process has not loaded (file and store reads)
  record_tampering,  // the stored secret failed its integrity check (a store write, an alert)
};

// The outcome of open_secret_now(): the plaintext or a final error in `secret` when `pending` is
// none; otherwise the step that must run on a worker thread.
struct QuickOpen {
  SlowStep pending = SlowStep::none;
  core::Result<core::Secret> secret = core::Error::internal("the open is not finished");
};

// What record_validation() did.
struct RecordedVerdict {
  store::KeyRecord key;  // the key as stored now
  bool stale = false;    // the key has a newer secret than the validated one: nothing was stored
};

class KeyService {
 public:
  // `users` gives each owner's fingerprint salt; `audit` takes the events that are not part of a
  // key change (key.read, tampering).
  KeyService(store::KeyStore& keys, store::UserStore& users, store::AuditAppendStore& audit,
             const crypto::Envelope& envelope, std::shared_ptr<const catalog::Catalog> catalog,
             const core::Clock& clock, std::string audit_chain, KeyCache* cache = nullptr);

  core::Result<store::KeyRecord> create(const audit::Actor& caller, std::string_view owner_id, NewKey&& input);
  // The key create() would store, built the same way (the same rules, sealing, fingerprints and
  // hint) with its `action` audit event, but not stored: for an owner that may not be stored yet
  // (its fingerprint salt given), so an import can store users and keys in one transaction
  // (store::ImportStore). The secret is wiped.
  core::Result<std::pair<store::KeyRecord, store::AuditEvent>> prepare_key(const audit::Actor& caller,
                                                                          std::string_view owner_id,
                                                                          core::ByteView owner_salt, NewKey&& input,
                                                                          std::string_view action);
  // Appends key.read; fails (and returns nothing) when that event cannot be written.
  core::Result<store::KeyRecord> get(const audit::Actor& caller, std::string_view owner_id, std::string_view id);
  core::Result<store::Page<store::KeyRecord>> list(std::string_view owner_id, const KeyQuery& query);
  // Keys expiring within `within` from now, and those already expired; soonest first.
  core::Result<std::vector<store::KeyRecord>> expiring(std::string_view owner_id, std::chrono::hours within);
  core::Result<store::KeyRecord> update(const audit::Actor& caller, std::string_view owner_id, std::string_view id,
                                        const KeyPatch& patch);
  // New secret, new data key, version + 1, validation reset; the old sealed secret is overwritten
  // in the same transaction.
  core::Result<store::KeyRecord> rotate(const audit::Actor& caller, std::string_view owner_id, std::string_view id,
                                        core::Secret&& secret);
  // Deletes the key; its sealed secret is destroyed.
  core::Result<void> remove(const audit::Actor& caller, std::string_view owner_id, std::string_view id);

  // The plaintext of key `id` of `owner_id` for a trusted service (POST /api/v1/keys/{id}/reveal),
  // when its provider is one of `allowed_providers`; key.revealed is audited (never the secret)
  // before the secret is returned — no audit row, no secret. not_found for another owner's or a
  // missing key; forbidden (audited as a failed key.revealed) for a provider outside the list;
  // open_secret()'s errors. Blocking.
  core::Result<std::pair<store::KeyRecord, core::Secret>> reveal(const audit::Actor& caller, std::string_view owner_id,
                                                                 std::string_view id,
                                                                 const std::vector<std::string>& allowed_providers);

  // Decrypts the secret for one provider call. Errors:
  //  - internal: the stored secret failed its integrity check (tampered or moved); the key is marked
  //    invalid with key.decrypt_failed audited in the same transaction, and the failure listener is
  //    told, so it is never tried again until rotated;
  //  - unavailable: OpenSSL failed transiently (the key is untouched: retry), or the key is sealed
  //    under a master version this process has not loaded, even after a reload (at most one reload
  //    per interval in the process; within it such a key fails at once);
  //  - what the store returns while loading the owner.
  // Blocking: open_secret_now() and, when it leaves a step, finish_open() on this thread.
  core::Result<core::Secret> open_secret(const audit::Actor& caller, const store::KeyRecord& key);

  // The part of open_secret() that never blocks — no store call, no file read, no listener — so an
  // I/O thread may call it: the plaintext or a final error, or the step finish_open() must run.
  QuickOpen open_secret_now(const audit::Actor& caller, const store::KeyRecord& key);
  // Runs `step` (blocking: on a worker thread) and finishes the open, with open_secret()'s results.
  core::Result<core::Secret> finish_open(const audit::Actor& caller, const store::KeyRecord& key, SlowStep step);

  // Loads what open_secret() needs besides the record (the owner's salt), so that later opens of
  // this owner's keys never touch the store. Blocking; call it with the key-cache fill.
  core::Result<void> prepare_owner(std::string_view owner_id);

  // The key and its plaintext, for a validation call (not audited as a read: the validation is).
  core::Result<std::pair<store::KeyRecord, core::Secret>> open_for_validation(const audit::Actor& caller,
                                                                                std::string_view owner_id,
                                                                                std::string_view id);

  // Stores a validation verdict about the key's secret `secret_version` (state, time, redacted
  // message) and audits key.validated in the same transaction. `details_json` describes the answer
  // (verdict, http status). When the key got a new secret since (rotated: its version moved on),
  // the verdict is about a secret that is gone: nothing is stored and the result says stale.
  core::Result<RecordedVerdict> record_validation(const audit::Actor& caller, std::string_view owner_id,
                                                  std::string_view id, std::uint32_t secret_version,
                                                  store::ValidationState state, std::string message,
                                                  std::string details_json);

  // Audits a validation of a secret that is not stored (POST /keys/validate).
  core::Result<void> audit_unstored_validation(const audit::Actor& caller, std::string_view provider, bool valid,
                                               std::string details_json);

  // enabled, not expired, not invalid.
  bool is_usable(const store::KeyRecord& key) const;

  // Forgets what this process holds about `owner_id`, a user just deleted with every key: the
  // cached key records, the owner's salt, and the keys the envelope derived from `salt` (their
  // KEK). Never blocks on the store.
  void forget_owner(std::string_view owner_id, core::ByteView salt);

  // Called when a key is sealed under a master version the keyring lacks (another node rotated):
  // it should reload the keyring and say whether it did; open_secret then tries once more. It is
  // called at most once per `min_interval` in this process, whatever the number of requests:
  // meanwhile such a key fails at once with unavailable. Set once at start, before concurrent use.
  void set_keyring_refresh(std::function<bool()> refresh,
                           std::chrono::milliseconds min_interval = kDefaultReloadInterval) {
    refresh_keyring_ = std::move(refresh);
    reload_interval_ = min_interval;
  }
  static constexpr std::chrono::milliseconds kDefaultReloadInterval{2000};
  // Told about every decryption tried: whether it opened and how long that took (metrics). Called
  // on the thread that tried it (an I/O thread too): must be quick.
  void set_decrypt_observer(std::function<void(bool opened, std::chrono::nanoseconds took)> observer) {
    on_decrypt_ = std::move(observer);
  }
  // Told after a stored secret failed its integrity check (tampering, or the wrong master key) and
  // the key was taken out of service. Called by finish_open(), on a worker thread.
  void set_decrypt_failure_listener(std::function<void(const audit::Actor&, const store::KeyRecord&)> listener) {
    on_decrypt_failure_ = std::move(listener);
  }

 private:
  core::Result<core::Bytes> owner_salt(std::string_view owner_id);
  // Sets key.fingerprint (under the version the secret was sealed with) and
  // key.equivalent_fingerprints (under every other version the keyring holds) for the duplicate check.
  core::Result<void> fingerprint_into(store::KeyRecord& key, const core::Secret& secret, core::ByteView salt,
                                      std::uint32_t sealed_version) const;
  // The owner's salt if it was loaded before (never blocks).
  std::optional<core::Bytes> cached_salt(std::string_view owner_id);
  // One envelope open with `salt`: its result, or the step left (a reload only when `may_reload`).
  QuickOpen try_open(const store::KeyRecord& key, core::ByteView salt, bool may_reload);
  // Marks a key whose stored secret failed its integrity check and tells the listener (blocking).
  core::Result<core::Secret> record_tampering(const audit::Actor& caller, const store::KeyRecord& key);
  store::AuditEvent event(const audit::Actor& caller, std::string_view action, store::Outcome outcome,
                          const store::KeyRecord* key) const;
  void invalidate(std::string_view owner_id);
  // True when the keyring may be reloaded now for an unknown version (and records that it is).
  bool claim_reload();

  store::KeyStore& keys_;
  store::UserStore& users_;
  store::AuditAppendStore& audit_;
  const crypto::Envelope& envelope_;
  std::shared_ptr<const catalog::Catalog> catalog_;
  const core::Clock& clock_;
  std::string audit_chain_;
  KeyCache* cache_;
  std::function<bool()> refresh_keyring_;
  std::chrono::milliseconds reload_interval_ = kDefaultReloadInterval;
  std::mutex reload_mutex_;  // guards last_reload_
  std::optional<std::chrono::steady_clock::time_point> last_reload_;
  std::function<void(const audit::Actor&, const store::KeyRecord&)> on_decrypt_failure_;
  std::function<void(bool, std::chrono::nanoseconds)> on_decrypt_;

  std::mutex salts_mutex_;  // guards salts_: salts never change, so a cached one is always right
  std::unordered_map<std::string, core::Bytes> salts_;
};

}  // namespace keyrelay::vault
