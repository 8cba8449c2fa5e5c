#include "store/sqlite/transaction.h"

namespace keyrelay::store::sqlite {

core::Result<Transaction> Transaction::begin_write(Connection& conn) {
  if (auto begun = conn.exec("BEGIN IMMEDIATE", "beginning a write transaction"); !begun) return begun.error();
  return Transaction(conn);
}

core::Result<Transaction> Transaction::begin_read(Connection& conn) {
  if (auto begun = conn.exec("BEGIN", "beginning a read transaction"); !begun) return begun.error();
  return Transaction(conn);
}

Transaction::~Transaction() {
  if (conn_ == nullptr) return;
  // A failed ROLLBACK leaves the connection inside the transaction; ConnectionPool checks
  // in_autocommit() when the connection comes back and retries there.
  (void)conn_->exec("ROLLBACK", "rolling back");
}

core::Result<void> Transaction::commit() {
  Connection* conn = std::exchange(conn_, nullptr);
  auto committed = conn->exec("COMMIT", "committing");
  if (!committed && !conn->in_autocommit()) (void)conn->exec("ROLLBACK", "rolling back a failed commit");
  return committed;
}

core::Result<void> bump_generation(Connection& conn) {
  auto stmt = conn.prepare("UPDATE store_generation SET generation = generation + 1 WHERE id = 1");
  if (!stmt) return stmt.error();
  if (auto done = stmt->run("bumping the store generation"); !done) return done.error();
  if (stmt->changes() != 1) return core::Error::internal("store_generation has no row; is the schema migrated?");
  return core::ok();
}

}  // namespace keyrelay::store::sqlite
