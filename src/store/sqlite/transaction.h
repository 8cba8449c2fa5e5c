#pragma once
// Transaction: a scope guard over BEGIN … COMMIT on one connection.
//
// Writes begin IMMEDIATE: the write lock is taken at BEGIN, so everything read inside (the audit
// chain head, a uniqueness check, the row being updated) stays true until COMMIT, and two writers
// queue on busy_timeout instead of failing halfway with SQLITE_BUSY. Reads that need one snapshot
// across several statements begin DEFERRED.
// A transaction that is destroyed without a successful commit() is rolled back, so every early
// `return error;` (and an exception) undoes the work. Not thread-safe; borrows the connection,
// which must outlive it. Move-only.

#include <cstdint>
#include <string_view>
#include <utility>

#include "core/result.h"
#include "store/sqlite/connection.h"

namespace keyrelay::store::sqlite {

class Transaction {
 public:
  // BEGIN IMMEDIATE. unavailable when another writer keeps the lock past busy_timeout.
  static core::Result<Transaction> begin_write(Connection& conn);
  // BEGIN (deferred): a consistent snapshot for several reads.
  static core::Result<Transaction> begin_read(Connection& conn);

  ~Transaction();
  Transaction(Transaction&& other) noexcept : conn_(std::exchange(other.conn_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // COMMIT. On failure the transaction is rolled back and nothing it did is kept.
  core::Result<void> commit();

 private:
  explicit Transaction(Connection& conn) noexcept : conn_(&conn) {}

  Connection* conn_;  // null once committed, rolled back or moved from
};

// Savepoint: one write inside a larger write transaction (a group commit, write_batcher.h), so a
// write that fails is undone alone and the others of its transaction stay. release() keeps the
// write's changes in the transaction; roll_back() (or destruction without release) undoes them and
// counts the write's audit events as one failed write. Not thread-safe; borrows the connection,
// which must be inside a transaction and outlive it. Move-only.
class Savepoint {
 public:
  static core::Result<Savepoint> begin(Connection& conn);

  ~Savepoint();
  Savepoint(Savepoint&& other) noexcept
      : conn_(std::exchange(other.conn_, nullptr)), audit_events_before_(other.audit_events_before_) {}
  Savepoint& operator=(Savepoint&&) = delete;
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;

  // RELEASE: the write stays part of the enclosing transaction.
  core::Result<void> release();
  // ROLLBACK TO + RELEASE: the write is undone, the enclosing transaction goes on. An error means
  // the connection's transaction can no longer be trusted (the caller rolls it back whole).
  core::Result<void> roll_back();

 private:
  Savepoint(Connection& conn, std::uint64_t audit_events_before) noexcept
      : conn_(&conn), audit_events_before_(audit_events_before) {}

  Connection* conn_;  // null once released, rolled back or moved from
  std::uint64_t audit_events_before_;
};

// Audit events written by this process's store (committed) and writes that failed (a transaction
// carrying audit events rolled back), for the metrics.
struct AuditWriteCounts {
  std::uint64_t written = 0;
  std::uint64_t failures = 0;
};
AuditWriteCounts audit_write_counts() noexcept;

// Adds one to store_generation (other processes drop their caches when it moves). Call it inside
// the write transaction of every change that cached state depends on.
core::Result<void> bump_generation(Connection& conn);

// Whether a write transaction bumps the store generation.
enum class Bump { generation, none };

// Runs `body()` (returning core::Result<T>) inside a write transaction on `conn`: commits when it
// succeeds (after bumping the generation when asked), rolls back and returns its error when not.
template <class Body>
auto in_write_transaction(Connection& conn, Bump bump, Body&& body) -> decltype(body()) {
  auto tx = Transaction::begin_write(conn);
  if (!tx) return tx.error();
  auto result = body();
  if (!result) return result;
  if (bump == Bump::generation) {
    if (auto bumped = bump_generation(conn); !bumped) return bumped.error();
  }
  if (auto committed = tx->commit(); !committed) return committed.error();
  return result;
}

}  // namespace keyrelay::store::sqlite
