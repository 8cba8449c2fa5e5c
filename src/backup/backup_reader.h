#pragma once
// Reading a sealed backup back: the header, the key (backup_key.h), every chunk opened in order,
// the records decoded and their rows handed to a store::CopyTarget in its one transaction, the
// manifest checked against the rows. The target's transaction commits only when all of it
// checked; on any error it is rolled back, so the target is left as it was.

#include <filesystem>

#include "backup/backup_header.h"
#include "backup/backup_key.h"
#include "backup/manifest.h"
#include "core/result.h"
#include "store/store_copy.h"

namespace keyrelay::backup {

struct ReadBackup {
  BackupHeader header;
  Manifest manifest;
  std::uint64_t chunks = 0;
};

// Reads `file` into `into`. The backup's schema must be `schema_version` (the target's): restoring
// across schema versions is refused with both versions named. Errors: invalid_request for
// everything wrong with the file or the key (a clear message, see chunk_stream.h, records.h,
// backup_key.h, manifest.h); not_found when the file does not exist; the target's own errors.
core::Result<ReadBackup> read_backup(const std::filesystem::path& file, const KeyMaterial& material,
                                     store::CopyTarget& into, int schema_version);

}  // namespace keyrelay::backup
