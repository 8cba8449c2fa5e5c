#include "backup/restore.h"

#include "backup/scratch_dir.h"
#include "store/open_store.h"

namespace keyrelay::backup {
namespace {

// Opens the target, migrates it and makes sure it holds no user (the copy checks every table
// again inside its transaction). conflict when it is not empty.
core::Result<void> prepare_target(const std::string& database_url, const std::filesystem::path& data_dir) {
  static const store::NoChainSealing kNoSealing;
  auto target = store::open_store(database_url, data_dir, kNoSealing);
  if (!target) return target.error();
  if (auto migrated = (*target)->migrate(); !migrated) return migrated.error();
  auto empty = (*target)->is_empty();
  if (!empty) return empty.error();
  if (!*empty) return core::Error::conflict("the target store is not empty; restore only fills an empty data dir or database");
  return core::ok();
}

}  // namespace

core::Result<RestoreReport> restore_backup(const std::filesystem::path& file, const KeyMaterial& material,
                                           const std::string& database_url, const std::filesystem::path& data_dir) {
  auto scratch = ScratchDir::create();
  if (!scratch) return scratch.error();
  const auto scratch_db = scratch->path() / "backup.db";
  RestoreReport report;
  auto checked = check_backup(file, material, scratch_db);
  if (!checked) return checked.error();
  report.checked = std::move(*checked);

  if (auto prepared = prepare_target(database_url, data_dir); !prepared) return prepared.error();
  auto target = store::open_copy_target(database_url, data_dir);
  if (!target) return target.error();
  auto source = store::open_copy_source("sqlite://" + scratch_db.string(), data_dir);
  if (!source) return source.error();
  auto copied = store::copy_store(**source, **target);
  if (!copied) return copied.error();
  report.copied = std::move(*copied);
  return report;
}

}  // namespace keyrelay::backup
