#pragma once
// KeyImportPlan: the users and keys an import will store, built row by row and checked as they
// come — each key sealed exactly as the API seals one (vault::KeyService::prepare_key), its owner
// found or prepared (accounts::AccountService::prepare_user, role `user`), and duplicates refused:
// a name or a secret of the same user and provider twice in the input, or already stored. Nothing
// is written until take() hands the load to store::ImportStore, which checks the same rules again
// in its one transaction (a key stored meanwhile makes the whole import fail, never half of it).
// Not thread-safe; blocking (store reads).

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "accounts/account_service.h"
#include "core/result.h"
#include "core/secret.h"
#include "store/import_store.h"
#include "store/key_store.h"
#include "store/user_store.h"
#include "vault/fernet_row.h"
#include "vault/key_service.h"

namespace keyrelay::cli {

class KeyImportPlan {
 public:
  // `details_source` (a JSON object: the source and scheme) goes into every key.imported event's
  // details, with the row's line.
  KeyImportPlan(accounts::AccountService& accounts, vault::KeyService& keys, store::UserStore& users,
                store::KeyStore& stored_keys, std::string details_source);

  // Adds the row's key with `secret` (wiped); the reason when the row cannot be imported (the row
  // then adds nothing). Errors other than invalid_request and conflict come from the store.
  core::Result<void> add(const vault::FernetRow& row, core::Secret&& secret);

  std::size_t keys() const noexcept { return load_.keys.size(); }
  std::size_t users_created() const noexcept { return load_.users.size(); }
  // The load for store::ImportStore::insert_import(); the plan is empty afterwards.
  store::ImportLoad take() { return std::exchange(load_, {}); }

 private:
  struct Owner {
    std::string id;
    core::Bytes salt;
    // A user the import creates, until its first key is added (a user whose rows are all bad is
    // not created).
    std::optional<std::pair<store::UserRecord, store::AuditEvent>> pending;
    // (provider, name) and (provider, fingerprint) already taken, with the input line that took
    // them (0: stored before the import).
    std::map<std::pair<std::string, std::string>, std::size_t> names;
    std::map<std::pair<std::string, core::Bytes>, std::size_t> secrets;
  };
  core::Result<Owner*> owner(const std::string& name);
  core::Result<void> load_stored_keys(Owner& owner);
  static core::Result<void> check_duplicates(const Owner& owner, const store::KeyRecord& key, const std::string& user);

  accounts::AccountService& accounts_;
  vault::KeyService& keys_;
  store::UserStore& users_;
  store::KeyStore& stored_keys_;
  std::string details_source_;
  std::map<std::string, Owner> owners_;
  store::ImportLoad load_;
};

}  // namespace keyrelay::cli
