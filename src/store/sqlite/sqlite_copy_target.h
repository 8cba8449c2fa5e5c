#pragma once
// SqliteCopyTarget: a SQLite database filled by a copy (store/store_copy.h) — `keyrelay restore`
// into a SQLite store, and the private scratch database a backup is checked in. One connection,
// one write transaction (BEGIN IMMEDIATE: no server writes while the copy checks and fills the
// tables) that first checks that every table is empty. Not thread-safe.

#include <filesystem>
#include <memory>
#include <string>

#include "store/store_copy.h"

namespace keyrelay::store::sqlite {

class Connection;

class SqliteCopyTarget : public CopyTarget {
 public:
  // Opens (creating if missing) the database `file`; its schema must be migrated before begin().
  static core::Result<std::unique_ptr<SqliteCopyTarget>> open(const std::filesystem::path& file);
  ~SqliteCopyTarget() override;

  core::Result<void> begin(const std::vector<CopyTable>& tables) override;
  core::Result<void> write(const CopyTable& table, const std::vector<CopyRow>& rows) override;
  core::Result<void> commit() override;
  void rollback() noexcept override;

 private:
  explicit SqliteCopyTarget(std::unique_ptr<Connection> connection);
  core::Result<void> check_empty(const std::vector<CopyTable>& tables);
  std::unique_ptr<Connection> connection_;
  bool open_ = false;
};

}  // namespace keyrelay::store::sqlite
