#pragma once
// Keeps a running server on the current keyring file: reload_if_changed() re-reads the file when
// its identity (inode, size, modification time) changed, or always when forced (SIGHUP, or an
// envelope that met an unknown version). A new keyring is installed into the envelope and the audit
// sealer only if it still holds every version that sealed data in the store uses; otherwise the old
// one stays and the refusal is logged. A keyring from KEYRELAY_MASTER_KEY never reloads.
//
// Thread-safe (one mutex; loads are rare).

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <sys/stat.h>

#include "audit/chain_sealer.h"
#include "config/config.h"
#include "core/result.h"
#include "crypto/envelope.h"
#include "crypto/keyring.h"
#include "store/rotation_store.h"

namespace keyrelay::cli {

class KeyringReloader {
 public:
  // `file` is empty for a keyring from KEYRELAY_MASTER_KEY. The rest must outlive the reloader.
  KeyringReloader(std::optional<std::filesystem::path> file, crypto::Envelope& envelope,
                  audit::KeyringChainSealer& sealer, store::RotationStore& store);

  // True when a new keyring was installed.
  core::Result<bool> reload_if_changed(bool force = false);

  std::shared_ptr<const crypto::Keyring> current() const { return envelope_.keyring(); }

 private:
  std::optional<std::filesystem::path> file_;
  crypto::Envelope& envelope_;
  audit::KeyringChainSealer& sealer_;
  store::RotationStore& store_;
  std::mutex mutex_;
  struct Identity {
    ino_t inode = 0;
    off_t size = 0;
    timespec modified{};
  };
  std::optional<Identity> seen_;  // guarded by mutex_
};

// The keyring file the configuration uses, if any (not for KEYRELAY_MASTER_KEY).
std::optional<std::filesystem::path> keyring_file_of(const config::Config& config);

}  // namespace keyrelay::cli
