#include "store/sqlite/transaction.h"

#include <atomic>

namespace keyrelay::store::sqlite {

core::Result<Transaction> Transaction::begin_write(Connection& conn) {
  if (auto begun = conn.exec("BEGIN IMMEDIATE", "beginning a write transaction"); !begun) return begun.error();
  return Transaction(conn);
}

core::Result<Transaction> Transaction::begin_read(Connection& conn) {
  if (auto begun = conn.exec("BEGIN", "beginning a read transaction"); !begun) return begun.error();
  return Transaction(conn);
}

namespace {

std::atomic<std::uint64_t> audit_events_written{0};
std::atomic<std::uint64_t> audit_write_failures{0};

// The audit events of a transaction that ended: kept when it committed, a failed write when not.
void settle_audit_events(Connection& conn, bool committed) {
  if (conn.pending_audit_events == 0) return;
  if (committed) audit_events_written.fetch_add(conn.pending_audit_events, std::memory_order_relaxed);
  else audit_write_failures.fetch_add(1, std::memory_order_relaxed);
  conn.pending_audit_events = 0;
}

}  // namespace

AuditWriteCounts audit_write_counts() noexcept {
  return {audit_events_written.load(std::memory_order_relaxed), audit_write_failures.load(std::memory_order_relaxed)};
}

Transaction::~Transaction() {
  if (conn_ == nullptr) return;
  settle_audit_events(*conn_, false);
  // A failed ROLLBACK leaves the connection inside the transaction; ConnectionPool checks
  // in_autocommit() when the connection comes back and retries there.
  (void)conn_->exec("ROLLBACK", "rolling back");
}

core::Result<void> Transaction::commit() {
  Connection* conn = std::exchange(conn_, nullptr);
  auto committed = conn->exec("COMMIT", "committing");
  if (!committed && !conn->in_autocommit()) (void)conn->exec("ROLLBACK", "rolling back a failed commit");
  settle_audit_events(*conn, committed.has_value());
  return committed;
}

core::Result<Savepoint> Savepoint::begin(Connection& conn) {
  if (auto begun = conn.exec("SAVEPOINT write", "beginning a write of a group"); !begun) return begun.error();
  return Savepoint(conn, conn.pending_audit_events);
}

Savepoint::~Savepoint() { (void)roll_back(); }

core::Result<void> Savepoint::release() {
  Connection* conn = std::exchange(conn_, nullptr);
  if (conn == nullptr) return core::ok();
  return conn->exec("RELEASE write", "ending a write of a group");
}

core::Result<void> Savepoint::roll_back() {
  Connection* conn = std::exchange(conn_, nullptr);
  if (conn == nullptr) return core::ok();
  // The events this write appended are undone with it: a failed write, not events written.
  if (conn->pending_audit_events > audit_events_before_) {
    audit_write_failures.fetch_add(1, std::memory_order_relaxed);
    conn->pending_audit_events = audit_events_before_;
  }
  if (auto undone = conn->exec("ROLLBACK TO write", "undoing a failed write of a group"); !undone) return undone;
  return conn->exec("RELEASE write", "ending a failed write of a group");
}

core::Result<void> bump_generation(Connection& conn) {
  auto stmt = conn.prepare("UPDATE store_generation SET generation = generation + 1 WHERE id = 1");
  if (!stmt) return stmt.error();
  if (auto done = stmt->run("bumping the store generation"); !done) return done.error();
  if (stmt->changes() != 1) return core::Error::internal("store_generation has no row; is the schema migrated?");
  return core::ok();
}

}  // namespace keyrelay::store::sqlite
