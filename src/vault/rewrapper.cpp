#include "vault/rewrapper.h"

#include <set>

#include "vault/sealed_key.h"

namespace keyrelay::vault {

core::Result<RewrapReport> Rewrapper::run(const Caller& caller, std::uint32_t to_version) {
  if (envelope_.keyring()->active_version() != to_version)
    return core::Error::invalid_request("version " + std::to_string(to_version) + " is not the sealing version");
  RewrapReport report;
  std::set<std::string> failed;
  for (;;) {
    // Ask for enough rows to get past the ones that already failed.
    auto batch = rotation_.keys_not_on_version(to_version, batch_size_ + failed.size());
    if (!batch) return batch.error();
    std::vector<store::RewrappedKey> moves;
    for (const auto& key : *batch) {
      if (failed.contains(key.id)) continue;
      if (moves.size() == batch_size_) break;
      auto secret = keys_.open_secret(caller, key);  // audits and disables a tampered key itself
      if (!secret) {
        if (secret.error().code != core::Errc::internal) return secret.error();
        failed.insert(key.id);
        report.failed_key_ids.push_back(key.id);
        continue;
      }
      auto salt = users_.find_user(key.owner_id);
      if (!salt) return salt.error();
      auto moved = envelope_.rewrap(sealed_of(key), binding_of(key), salt->salt, to_version);
      if (!moved) return moved.error();
      auto fingerprint = envelope_.fingerprint(*secret, salt->salt, to_version);
      if (!fingerprint) return fingerprint.error();
      moves.push_back({key.id, key.master_version, key.version, to_version, std::move(moved->wrapped_data_key),
                       core::Bytes(fingerprint->begin(), fingerprint->end())});
    }
    if (moves.empty()) break;
    auto changed = rotation_.rewrap_keys(moves);
    if (!changed) return changed.error();
    report.rewrapped += *changed;
  }
  return report;
}

}  // namespace keyrelay::vault
