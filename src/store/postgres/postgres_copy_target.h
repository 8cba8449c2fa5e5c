#pragma once
// PostgresCopyTarget: a PostgreSQL database written by `keyrelay store copy` (store/store_copy.h).
// One connection as the URL's role with the admin path of row-level security (keyrelay.scope =
// 'all', transaction.h) so every user's rows may be written; one transaction that first locks every
// table against concurrent writers and checks that each is empty. Not thread-safe.

#include <memory>
#include <string>

#include "store/store_copy.h"

namespace keyrelay::store::postgres {

class Connection;

class PostgresCopyTarget : public CopyTarget {
 public:
  // Connects to `url` (the schema must be migrated already). unavailable when it cannot.
  static core::Result<std::unique_ptr<PostgresCopyTarget>> open(const std::string& url);
  ~PostgresCopyTarget() override;

  core::Result<void> begin(const std::vector<CopyTable>& tables) override;
  core::Result<void> write(const CopyTable& table, const std::vector<CopyRow>& rows) override;
  core::Result<void> commit() override;
  void rollback() noexcept override;

 private:
  explicit PostgresCopyTarget(std::unique_ptr<Connection> connection);
  std::unique_ptr<Connection> connection_;
  bool open_ = false;
};

}  // namespace keyrelay::store::postgres
