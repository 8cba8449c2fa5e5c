#pragma once
// `keyrelay restore`: a backup checked in full (backup_check.h) is copied into an empty store in
// one transaction of that store (store::copy_store). Nothing is written to the target before the
// whole backup checked — a truncated, corrupted or wrong-key backup leaves it untouched — and a
// target that holds any row is refused (conflict) without a write.

#include <filesystem>
#include <string>

#include "backup/backup_check.h"
#include "store/store_copy.h"

namespace keyrelay::backup {

struct RestoreReport {
  CheckedBackup checked;
  store::CopyReport copied;
};

// Restores `file` into the store `database_url` names (empty: SQLite in `data_dir`, as
// KEYRELAY_DATABASE_URL); that store is migrated to this version's schema first.
core::Result<RestoreReport> restore_backup(const std::filesystem::path& file, const KeyMaterial& material,
                                           const std::string& database_url, const std::filesystem::path& data_dir);

}  // namespace keyrelay::backup
