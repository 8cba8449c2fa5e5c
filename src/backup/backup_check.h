#pragma once
// Checking a backup through and through, without touching any store: it is unpacked into a
// scratch SQLite database (backup_reader.h: every chunk authenticated, the manifest matched
// against the rows), then, in that database, every audit chain is verified with the keyring
// (audit/verifier.h, as `keyrelay audit verify` does) and every provider key is opened with the
// keyring's envelope (plaintext wiped at once). `backup verify` reports it; `restore` copies the
// checked database into the real store only after all of it passed.

#include <cstdint>
#include <filesystem>

#include "backup/backup_key.h"
#include "backup/backup_reader.h"
#include "core/result.h"

namespace keyrelay::backup {

struct CheckedBackup {
  ReadBackup read;
  std::size_t audit_chains = 0;
  std::int64_t audit_events = 0;
  std::int64_t keys_opened = 0;
};

// Unpacks `file` into the new SQLite database `scratch_db` and checks it. invalid_request naming
// the first problem (the file, the key, the manifest, an audit chain that does not verify, a key
// that does not open); the errors of read_backup otherwise.
core::Result<CheckedBackup> check_backup(const std::filesystem::path& file, const KeyMaterial& material,
                                         const std::filesystem::path& scratch_db);

}  // namespace keyrelay::backup
