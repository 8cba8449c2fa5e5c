#pragma once
// SqliteCopySource: a SQLite database read for `keyrelay store copy` (store/store_copy.h). Its own
// connection holds one read transaction from the first call to destruction, so the copy is one snapshot
// while servers keep writing (WAL readers never block the writer). Not thread-safe.

#include <chrono>
#include <filesystem>
#include <memory>

#include "store/store_copy.h"

namespace keyrelay::store::sqlite {

class Connection;

class SqliteCopySource : public CopySource {
 public:
  // not_found when `file` does not exist (a copy never creates its source).
  static core::Result<std::unique_ptr<SqliteCopySource>> open(const std::filesystem::path& file);
  ~SqliteCopySource() override;

  core::Result<std::vector<CopyTable>> tables() override;
  core::Result<void> read(const CopyTable& table, std::size_t batch, const CopyRowSink& sink) override;
  core::Result<int> schema_version() override;

 private:
  explicit SqliteCopySource(std::unique_ptr<Connection> connection);
  // BEGIN (deferred: the snapshot starts with the first read and holds until destruction).
  core::Result<void> begin_snapshot();
  std::unique_ptr<Connection> connection_;
  bool in_snapshot_ = false;
};

}  // namespace keyrelay::store::sqlite
