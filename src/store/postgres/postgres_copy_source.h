#pragma once
// PostgresCopySource: a PostgreSQL database read as one snapshot (store/store_copy.h), for
// `keyrelay backup` while servers keep writing. One connection as the URL's role, one REPEATABLE
// READ READ ONLY transaction from the first call to destruction (every table as of one moment),
// with the admin path of row-level security (keyrelay.scope = 'all') so every user's rows are
// read. Rows are fetched through a cursor a batch at a time. Booleans become the integers 0/1 and
// every other value keeps its type, so the rows match what the SQLite engine stores. Not thread-safe.

#include <memory>
#include <string>

#include "store/store_copy.h"

namespace keyrelay::store::postgres {

class Connection;

class PostgresCopySource : public CopySource {
 public:
  // Connects to `url`. unavailable when it cannot.
  static core::Result<std::unique_ptr<PostgresCopySource>> open(const std::string& url);
  ~PostgresCopySource() override;

  core::Result<std::vector<CopyTable>> tables() override;
  core::Result<void> read(const CopyTable& table, std::size_t batch, const CopyRowSink& sink) override;
  core::Result<int> schema_version() override;

 private:
  explicit PostgresCopySource(std::unique_ptr<Connection> connection);
  core::Result<void> begin_snapshot();
  std::unique_ptr<Connection> connection_;
  bool in_snapshot_ = false;
};

}  // namespace keyrelay::store::postgres
