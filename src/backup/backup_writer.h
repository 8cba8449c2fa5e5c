#pragma once
// Writing a sealed backup: every row of a store's snapshot (store::CopySource) streamed into the
// record format (records.h), sealed chunk by chunk (chunk_stream.h) under the header's key, the
// manifest last; written through AtomicFile (FILE.tmp, fsync, rename; mode 0600).

#include <chrono>
#include <filesystem>
#include <string>

#include "backup/backup_key.h"
#include "backup/manifest.h"
#include "core/result.h"
#include "store/store_copy.h"

namespace keyrelay::backup {

struct BackupOrigin {
  std::string store;             // "sqlite" or "postgres"
  std::string keyrelay_version;  // this binary's
  std::chrono::system_clock::time_point created_at;
};

// Writes `file` from `source`'s snapshot sealed under `key`; the manifest it sealed. On any error
// nothing is left under `file` (an existing file there stays as it was).
core::Result<Manifest> write_backup(store::CopySource& source, const SealingKey& key, const BackupOrigin& origin,
                                    const std::filesystem::path& file);

}  // namespace keyrelay::backup
