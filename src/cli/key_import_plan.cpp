#include "cli/key_import_plan.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace keyrelay::cli {
namespace {

std::string taken_at(std::size_t line) {
  return line == 0 ? "already stored" : "already on line " + std::to_string(line);
}

}  // namespace

KeyImportPlan::KeyImportPlan(accounts::AccountService& accounts, vault::KeyService& keys, store::UserStore& users,
                             store::KeyStore& stored_keys, std::string details_source)
    : accounts_(accounts), keys_(keys), users_(users), stored_keys_(stored_keys),
      details_source_(std::move(details_source)) {}

core::Result<void> KeyImportPlan::load_stored_keys(Owner& owner) {
  auto stored = stored_keys_.keys_of_owner(owner.id);
  if (!stored) return stored.error();
  for (const auto& key : *stored) {
    owner.names.emplace(std::pair{key.provider, key.name}, 0);
    owner.secrets.emplace(std::pair{key.provider, key.fingerprint}, 0);
  }
  return core::ok();
}

core::Result<KeyImportPlan::Owner*> KeyImportPlan::owner(const std::string& name) {
  if (auto known = owners_.find(name); known != owners_.end()) return &known->second;
  Owner owner;
  auto existing = users_.find_user_by_name(name);
  if (existing) {
    if (existing->role == store::Role::system) return core::Error::invalid_request("user: the operator's system user takes no imported keys");
    owner.id = existing->id;
    owner.salt = existing->salt;
    if (auto loaded = load_stored_keys(owner); !loaded) return loaded.error();
  } else if (existing.error().code == core::Errc::not_found) {
    auto prepared = accounts_.prepare_user(audit::Actor::cli(), {name, store::Role::user});
    if (!prepared) return core::Error{prepared.error().code, "user: " + prepared.error().message, {}};
    owner.id = prepared->first.id;
    owner.salt = prepared->first.salt;
    owner.pending = std::move(*prepared);
  } else {
    return existing.error();
  }
  return &owners_.emplace(name, std::move(owner)).first->second;
}

// The same rules insert_key() applies in the store, with the line that took the name or secret.
core::Result<void> KeyImportPlan::check_duplicates(const Owner& owner, const store::KeyRecord& key,
                                                   const std::string& user) {
  if (auto taken = owner.names.find({key.provider, key.name}); taken != owner.names.end())
    return core::Error::conflict("duplicate: the " + key.provider + " key '" + key.name + "' of user '" + user +
                                 "' is " + taken_at(taken->second));
  std::vector<const core::Bytes*> fingerprints{&key.fingerprint};
  for (const auto& other : key.equivalent_fingerprints) fingerprints.push_back(&other);
  for (const core::Bytes* fingerprint : fingerprints) {
    if (auto taken = owner.secrets.find({key.provider, *fingerprint}); taken != owner.secrets.end())
      return core::Error::conflict("duplicate: this " + key.provider + " secret of user '" + user + "' is " +
                                   taken_at(taken->second));
  }
  return core::ok();
}

core::Result<void> KeyImportPlan::add(const vault::FernetRow& row, core::Secret&& secret) {
  auto found = owner(row.user);
  if (!found) {
    secret.wipe();
    return found.error();
  }
  Owner& owner = **found;
  vault::NewKey input;
  input.provider = row.provider;
  input.name = row.name;
  input.secret = std::move(secret);
  input.expires_at = row.expires_at;
  auto prepared = keys_.prepare_key(audit::Actor::cli(), owner.id, owner.salt, std::move(input), "key.imported");
  if (!prepared) return prepared.error();
  auto& [key, event] = *prepared;
  if (auto unique = check_duplicates(owner, key, row.user); !unique) return unique.error();
  if (row.created_at) key.created_at = *row.created_at;
  auto details = boost::json::parse(details_source_).as_object();
  details["line"] = row.line;
  event.details_json = boost::json::serialize(details);
  owner.names.emplace(std::pair{key.provider, key.name}, row.line);
  owner.secrets.emplace(std::pair{key.provider, key.fingerprint}, row.line);
  load_.keys.push_back(std::move(*prepared));
  if (owner.pending) load_.users.push_back(*std::exchange(owner.pending, std::nullopt));
  return core::ok();
}

}  // namespace keyrelay::cli
