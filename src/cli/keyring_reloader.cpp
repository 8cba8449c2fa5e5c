#include "cli/keyring_reloader.h"

#include <string>

#include "config/config.h"
#include "logging/log.h"

namespace keyrelay::cli {
namespace {

bool same(const timespec& a, const timespec& b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; }

}  // namespace

std::optional<std::filesystem::path> keyring_file_of(const config::Config& config) {
  if (config.master_key) return std::nullopt;
  if (config.keyring_file) return config.keyring_file;
  return config.data_dir / "keyring.toml";
}

KeyringReloader::KeyringReloader(std::optional<std::filesystem::path> file, crypto::Envelope& envelope,
                                 audit::KeyringChainSealer& sealer, store::RotationStore& store)
    : file_(std::move(file)), envelope_(envelope), sealer_(sealer), store_(store) {
  if (file_) {
    struct stat st {};
    if (::stat(file_->c_str(), &st) == 0) seen_ = Identity{st.st_ino, st.st_size, st.st_mtim};
  }
}

core::Result<bool> KeyringReloader::reload_if_changed(bool force) {
  if (!file_) return false;
  std::lock_guard lock(mutex_);
  struct stat st {};
  if (::stat(file_->c_str(), &st) != 0) return core::Error::unavailable("cannot stat the keyring file " + file_->string());
  const Identity now{st.st_ino, st.st_size, st.st_mtim};
  if (!force && seen_ && seen_->inode == now.inode && seen_->size == now.size && same(seen_->modified, now.modified))
    return false;
  auto loaded = crypto::Keyring::load_file(*file_);
  if (!loaded) return loaded.error();
  auto rows = store_.rows_by_master_version();
  if (!rows) return rows.error();
  for (const auto& [version, count] : *rows) {
    if (count > 0 && !loaded->key(version))
      return core::Error::invalid_request("the new keyring lacks master key version " + std::to_string(version) +
                                          ", which " + std::to_string(count) + " sealed keys use; keeping the old one");
  }
  auto keyring = std::make_shared<const crypto::Keyring>(std::move(*loaded));
  const auto active = keyring->active_version();
  envelope_.replace_keyring(keyring);
  sealer_.replace_keyring(keyring);
  seen_ = now;
  logging::info("keyring loaded", {{"active_version", active}, {"versions", keyring->versions().size()}});
  return true;
}

}  // namespace keyrelay::cli
