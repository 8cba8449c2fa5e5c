#include "vault/key_service.h"

#include <algorithm>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "audit/event_builder.h"
#include "core/ids.h"
#include "vault/key_cache.h"
#include "vault/key_rules.h"
#include "vault/sealed_key.h"

namespace keyrelay::vault {

using core::Error;
using core::Result;
using store::KeyRecord;

namespace {

Result<void> check_expiry(const std::optional<store::TimePoint>& expires_at, store::TimePoint now) {
  if (expires_at && *expires_at <= now) return Error::invalid_request("expires_at must be in the future");
  return core::ok();
}

}  // namespace

KeyService::KeyService(store::KeyStore& keys, store::UserStore& users, store::AuditAppendStore& audit,
                       const crypto::Envelope& envelope, std::shared_ptr<const catalog::Catalog> catalog,
                       const core::Clock& clock, std::string audit_chain, KeyCache* cache)
    : keys_(keys), users_(users), audit_(audit), envelope_(envelope), catalog_(std::move(catalog)), clock_(clock),
      audit_chain_(std::move(audit_chain)), cache_(cache) {}

store::AuditEvent KeyService::event(const audit::Actor& caller, std::string_view action, store::Outcome outcome,
                                    const KeyRecord* key) const {
  store::AuditEvent e = audit::new_event(clock_, audit_chain_, std::string(action), outcome, caller);
  if (key != nullptr) {
    e.key_id = key->id;
    e.key_owner_id = key->owner_id;
    e.provider = key->provider;
  }
  return e;
}

void KeyService::invalidate(std::string_view owner_id) {
  if (cache_ != nullptr) cache_->invalidate(owner_id);
}

void KeyService::forget_owner(std::string_view owner_id, core::ByteView salt) {
  invalidate(owner_id);
  {
    std::lock_guard lock(salts_mutex_);
    salts_.erase(std::string(owner_id));
  }
  envelope_.forget_salt(salt);
}

Result<core::Bytes> KeyService::owner_salt(std::string_view owner_id) {
  {
    std::lock_guard lock(salts_mutex_);
    if (auto it = salts_.find(std::string(owner_id)); it != salts_.end()) return it->second;
  }
  auto user = users_.find_user(owner_id);
  if (!user) return user.error();
  std::lock_guard lock(salts_mutex_);
  salts_.emplace(user->id, user->salt);
  return user->salt;
}

Result<void> KeyService::fingerprint_into(KeyRecord& key, const core::Secret& secret, core::ByteView salt,
                                          std::uint32_t sealed_version) const {
  auto fingerprint = envelope_.fingerprint(secret, salt, sealed_version);
  if (!fingerprint) return fingerprint.error();
  key.fingerprint.assign(fingerprint->begin(), fingerprint->end());
  // Every version the keyring can derive from: a row not re-wrapped yet carries the fingerprint of
  // the version it is sealed under, and retire refuses while a row uses a version, so these cover
  // every stored key (docs/decisions.md).
  key.equivalent_fingerprints.clear();
  for (const auto& version : envelope_.keyring()->versions()) {
    if (version.version == sealed_version || version.state == crypto::KeyVersionInfo::State::retired) continue;
    auto other = envelope_.fingerprint(secret, salt, version.version);
    if (!other) return other.error();
    key.equivalent_fingerprints.emplace_back(other->begin(), other->end());
  }
  return core::ok();
}

Result<std::pair<KeyRecord, store::AuditEvent>> KeyService::prepare_key(const audit::Actor& caller,
                                                                      std::string_view owner_id,
                                                                      core::ByteView owner_salt, NewKey&& input,
                                                                      std::string_view action) {
  const catalog::Provider* provider = catalog_->find(input.provider);
  if (provider == nullptr) return Error::invalid_request("provider '" + input.provider + "' is not supported");
  const std::string name = input.name.value_or(std::string(kDefaultKeyName));
  if (auto r = check_key_name(name); !r) return r.error();
  if (auto r = check_secret(input.secret); !r) return r.error();
  const auto now = clock_.now();
  if (auto r = check_expiry(input.expires_at, now); !r) return r.error();
  auto metadata = normalize_metadata(input.metadata_json);
  if (!metadata) return metadata.error();

  KeyRecord key;
  key.id = core::uuid_v7(now);
  key.owner_id = std::string(owner_id);
  key.provider = provider->id;
  key.name = name;
  key.hint = secret_hint(input.secret);
  key.version = 1;
  auto sealed = envelope_.seal(input.secret, binding_of(key), owner_salt);
  if (!sealed) return sealed.error();
  if (auto r = fingerprint_into(key, input.secret, owner_salt, sealed->master_version); !r) return r.error();
  key.wrapped_data_key = std::move(sealed->wrapped_data_key);
  key.sealed_secret = std::move(sealed->sealed_secret);
  key.master_version = sealed->master_version;
  key.priority = input.priority;
  key.always_use = input.always_use;
  key.expires_at = input.expires_at;
  key.created_at = key.updated_at = now;
  key.metadata_json = std::move(*metadata);
  input.secret.wipe();
  auto e = event(caller, action, store::Outcome::success, &key);
  return std::pair<KeyRecord, store::AuditEvent>(std::move(key), std::move(e));
}

Result<KeyRecord> KeyService::create(const audit::Actor& caller, std::string_view owner_id, NewKey&& input) {
  auto salt = owner_salt(owner_id);
  if (!salt) {
    input.secret.wipe();
    return salt.error();
  }
  auto prepared = prepare_key(caller, owner_id, *salt, std::move(input), "key.created");
  if (!prepared) return prepared.error();
  auto& [key, created] = *prepared;
  if (auto r = keys_.insert_key(key, std::move(created)); !r) return r.error();
  invalidate(owner_id);
  return std::move(key);
}

Result<KeyRecord> KeyService::get(const audit::Actor& caller, std::string_view owner_id, std::string_view id) {
  auto key = keys_.get_key(owner_id, id);
  if (!key) return key.error();
  std::vector<store::AuditEvent> events;
  events.push_back(event(caller, "key.read", store::Outcome::success, &*key));
  if (auto r = audit_.append_audit(std::move(events)); !r) return r.error();
  return key;
}

Result<store::Page<KeyRecord>> KeyService::list(std::string_view owner_id, const KeyQuery& query) {
  store::KeyFilter filter;
  filter.owner_id = std::string(owner_id);
  filter.provider = query.provider;
  filter.status = query.status;
  filter.now = clock_.now();
  return keys_.list_keys(filter, query.page);
}

Result<std::vector<KeyRecord>> KeyService::expiring(std::string_view owner_id, std::chrono::hours within) {
  store::KeyFilter filter;
  filter.owner_id = std::string(owner_id);
  filter.now = clock_.now();
  filter.expires_before = filter.now + within;
  std::vector<KeyRecord> out;
  store::PageRequest page{.limit = 200, .cursor = std::nullopt};
  for (;;) {
    auto batch = keys_.list_keys(filter, page);
    if (!batch) return batch.error();
    for (auto& k : batch->items) out.push_back(std::move(k));
    if (!batch->next_cursor) break;
    page.cursor = std::move(batch->next_cursor);
  }
  std::stable_sort(out.begin(), out.end(), [](const KeyRecord& a, const KeyRecord& b) { return *a.expires_at < *b.expires_at; });
  return out;
}

Result<KeyRecord> KeyService::update(const audit::Actor& caller, std::string_view owner_id, std::string_view id,
                                     const KeyPatch& patch) {
  if (patch.empty()) return Error::invalid_request("nothing to update: give at least one field");
  if (patch.name)
    if (auto r = check_key_name(*patch.name); !r) return r.error();
  const auto now = clock_.now();
  if (patch.expires_at)
    if (auto r = check_expiry(*patch.expires_at, now); !r) return r.error();
  std::optional<std::string> metadata;
  if (patch.metadata_json) {
    auto m = normalize_metadata(*patch.metadata_json);
    if (!m) return m.error();
    metadata = std::move(*m);
  }
  auto updated = keys_.update_key(owner_id, id, [&](KeyRecord& key) -> Result<store::AuditEvent> {
    boost::json::array fields;
    if (patch.name) { key.name = *patch.name; fields.emplace_back("name"); }
    if (patch.expires_at) { key.expires_at = *patch.expires_at; fields.emplace_back("expires_at"); }
    if (patch.priority) { key.priority = *patch.priority; fields.emplace_back("priority"); }
    if (patch.always_use) { key.always_use = *patch.always_use; fields.emplace_back("always_use"); }
    if (patch.enabled) { key.enabled = *patch.enabled; fields.emplace_back("enabled"); }
    if (metadata) { key.metadata_json = *metadata; fields.emplace_back("metadata"); }
    key.updated_at = now;
    auto e = event(caller, "key.updated", store::Outcome::success, &key);
    e.details_json = boost::json::serialize(boost::json::object{{"fields", std::move(fields)}});
    return e;
  });
  if (updated) invalidate(owner_id);
  return updated;
}

Result<KeyRecord> KeyService::rotate(const audit::Actor& caller, std::string_view owner_id, std::string_view id,
                                     core::Secret&& secret) {
  if (auto r = check_secret(secret); !r) return r.error();
  auto salt = owner_salt(owner_id);
  if (!salt) return salt.error();
  const auto now = clock_.now();
  auto rotated = keys_.update_key(owner_id, id, [&](KeyRecord& key) -> Result<store::AuditEvent> {
    const std::uint32_t previous = key.version;
    key.version = previous + 1;
    auto sealed = envelope_.seal(secret, binding_of(key), *salt);
    if (!sealed) return sealed.error();
    if (auto r = fingerprint_into(key, secret, *salt, sealed->master_version); !r) return r.error();
    key.wrapped_data_key = std::move(sealed->wrapped_data_key);
    key.sealed_secret = std::move(sealed->sealed_secret);
    key.master_version = sealed->master_version;
    key.hint = secret_hint(secret);
    key.validation = store::Validation{};
    key.updated_at = now;
    auto e = event(caller, "key.rotated", store::Outcome::success, &key);
    e.details_json = boost::json::serialize(
        boost::json::object{{"from_version", previous}, {"to_version", key.version}});
    return e;
  });
  secret.wipe();
  if (rotated) invalidate(owner_id);
  return rotated;
}

Result<void> KeyService::remove(const audit::Actor& caller, std::string_view owner_id, std::string_view id) {
  auto key = keys_.get_key(owner_id, id);
  if (!key) return key.error();
  if (auto r = keys_.delete_key(owner_id, id, event(caller, "key.deleted", store::Outcome::success, &*key)); !r)
    return r.error();
  invalidate(owner_id);
  return core::ok();
}

Result<std::pair<KeyRecord, core::Secret>> KeyService::open_for_validation(const audit::Actor& caller,
                                                                           std::string_view owner_id,
                                                                           std::string_view id) {
  auto key = keys_.get_key(owner_id, id);
  if (!key) return key.error();
  auto secret = open_secret(caller, *key);
  if (!secret) return secret.error();
  return std::pair<KeyRecord, core::Secret>(std::move(*key), std::move(*secret));
}

Result<RecordedVerdict> KeyService::record_validation(const audit::Actor& caller, std::string_view owner_id,
                                                      std::string_view id, std::uint32_t secret_version,
                                                      store::ValidationState state, std::string message,
                                                      std::string details_json) {
  const auto now = clock_.now();
  auto updated = keys_.update_key_at_version(owner_id, id, secret_version, [&](KeyRecord& key) -> Result<store::AuditEvent> {
    key.validation.state = state;
    key.validation.checked_at = now;
    key.validation.message = message.empty() ? std::nullopt : std::optional<std::string>(message);
    key.updated_at = now;
    auto e = event(caller, "key.validated",
                   state == store::ValidationState::valid ? store::Outcome::success : store::Outcome::failure, &key);
    e.details_json = details_json;
    return e;
  });
  if (!updated) return updated.error();
  if (updated->applied) invalidate(owner_id);
  return RecordedVerdict{std::move(updated->key), !updated->applied};
}

Result<std::pair<KeyRecord, core::Secret>> KeyService::reveal(const audit::Actor& caller, std::string_view owner_id,
                                                              std::string_view id,
                                                              const std::vector<std::string>& allowed_providers) {
  auto key = keys_.get_key(owner_id, id);
  if (!key) return key.error();
  std::vector<store::AuditEvent> events;
  if (std::find(allowed_providers.begin(), allowed_providers.end(), key->provider) == allowed_providers.end()) {
    events.push_back(event(caller, "key.revealed", store::Outcome::failure, &*key));
    events.back().details_json = R"({"reason":"provider not allowed for this token"})";
    (void)audit_.append_audit(std::move(events));  // refused either way
    return core::Error::forbidden("this token may not reveal keys of provider '" + key->provider + "'");
  }
  auto secret = open_secret(caller, *key);
  if (!secret) return secret.error();
  events.push_back(event(caller, "key.revealed", store::Outcome::success, &*key));
  if (auto r = audit_.append_audit(std::move(events)); !r) return r.error();
  return std::pair<KeyRecord, core::Secret>(std::move(*key), std::move(*secret));
}

Result<void> KeyService::audit_unstored_validation(const audit::Actor& caller, std::string_view provider, bool valid,
                                                   std::string details_json) {
  auto e = event(caller, "key.validated", valid ? store::Outcome::success : store::Outcome::failure, nullptr);
  e.provider = std::string(provider);
  e.details_json = std::move(details_json);
  std::vector<store::AuditEvent> events;
  events.push_back(std::move(e));
  return audit_.append_audit(std::move(events));
}

bool KeyService::is_usable(const KeyRecord& key) const {
  return store::key_status(key, clock_.now()) == store::KeyStatus::active;
}

}  // namespace keyrelay::vault
