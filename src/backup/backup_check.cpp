#include "backup/backup_check.h"

#include <map>

#include "audit/verifier.h"
#include "crypto/envelope.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_copy_target.h"
#include "store/sqlite/sqlite_store.h"
#include "vault/sealed_key.h"

namespace keyrelay::backup {
namespace {

core::Result<void> verify_chains(store::Store& store, const crypto::Keyring& keyring, CheckedBackup& out) {
  auto report = audit::verify_audit(store, keyring);
  if (!report) return report.error();
  for (const auto& chain : report->chains) {
    out.audit_events += chain.events;
    if (chain.first_bad)
      return core::Error::invalid_request("audit chain " + chain.chain + " does not verify inside the backup: " +
                                          chain.first_bad->reason + " at seq " + std::to_string(chain.first_bad->seq));
  }
  out.audit_chains = report->chains.size();
  return core::ok();
}

core::Result<void> open_every_key(store::Store& store, const KeyMaterial& material, CheckedBackup& out) {
  crypto::Envelope envelope(material.keyring, 0);
  std::map<std::string, core::Bytes> salts;  // per owner
  std::optional<std::string> after;
  for (;;) {
    auto page = store.keys_after(after, 500);
    if (!page) return page.error();
    if (page->empty()) return core::ok();
    for (const auto& key : *page) {
      auto salt = salts.find(key.owner_id);
      if (salt == salts.end()) {
        auto owner = store.find_user(key.owner_id);
        if (!owner) return core::Error::invalid_request("key " + key.id + " belongs to no user in the backup");
        salt = salts.emplace(key.owner_id, owner->salt).first;
      }
      auto opened = envelope.open(vault::sealed_of(key), vault::binding_of(key), salt->second);
      if (!opened) {
        if (crypto::open_failure(opened.error()) == crypto::OpenFailure::transient) return opened.error();
        return core::Error::invalid_request(
            "key " + key.id + " does not open with this keyring" +
            (opened.error().code == core::Errc::not_found
                 ? " (it is sealed under master key version " + std::to_string(key.master_version) + ", which the keyring does not hold)"
                 : std::string(" (it fails authentication)")));
      }
      ++out.keys_opened;  // the plaintext is wiped here, with `opened`
    }
    after = page->back().id;
  }
}

}  // namespace

core::Result<CheckedBackup> check_backup(const std::filesystem::path& file, const KeyMaterial& material,
                                         const std::filesystem::path& scratch_db) {
  static const store::NoChainSealing kNoSealing;
  auto scratch = store::SqliteStore::open({.file = scratch_db}, kNoSealing);
  if (!scratch) return scratch.error();
  if (auto migrated = (*scratch)->migrate(); !migrated) return migrated.error();
  CheckedBackup out;
  {
    auto target = store::sqlite::SqliteCopyTarget::open(scratch_db);
    if (!target) return target.error();
    auto read = read_backup(file, material, **target, store::sqlite::latest_schema_version());
    if (!read) return read.error();
    out.read = std::move(*read);
  }
  if (auto r = verify_chains(**scratch, *material.keyring, out); !r) return r.error();
  if (auto r = open_every_key(**scratch, material, out); !r) return r.error();
  return out;
}

}  // namespace keyrelay::backup
