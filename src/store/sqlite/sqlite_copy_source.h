#pragma once
// SqliteCopySource: a SQLite database read for `keyrelay store copy` (store/store_copy.h). Its own
// connection holds one read transaction from tables() to destruction, so the copy is one snapshot
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

 private:
  explicit SqliteCopySource(std::unique_ptr<Connection> connection);
  std::unique_ptr<Connection> connection_;
  bool in_snapshot_ = false;
};

}  // namespace keyrelay::store::sqlite
