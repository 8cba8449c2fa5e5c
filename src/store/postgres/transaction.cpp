#include "store/postgres/transaction.h"

#include <atomic>

namespace keyrelay::store::postgres {

core::Result<void> begin(Connection& conn, const Access& access, Mode mode) {
  conn.clear_sqlstate();
  std::string sql = mode == Mode::read ? "BEGIN READ ONLY" : "BEGIN";
  switch (access.kind()) {
    case Access::Kind::owner:
      break;
    case Access::Kind::admin:
      sql += "; SET LOCAL ROLE ";
      sql += kRuntimeRole;
      sql += "; SET LOCAL keyrelay.scope = 'all'";
      break;
    case Access::Kind::user: {
      auto quoted = conn.quote_literal(access.user_id());
      if (!quoted) return quoted.error();
      sql += "; SET LOCAL ROLE ";
      sql += kRuntimeRole;
      sql += "; SET LOCAL keyrelay.user_id = " + *quoted;
      break;
    }
  }
  auto begun = conn.exec(sql, "beginning a transaction");
  if (!begun && conn.in_transaction()) rollback(conn);
  return begun;
}

core::Result<void> commit(Connection& conn) {
  auto committed = conn.exec("COMMIT", "committing");
  if (!committed && conn.in_transaction()) rollback(conn);
  return committed;
}

void rollback(Connection& conn) noexcept {
  if (conn.broken()) return;
  (void)conn.exec("ROLLBACK", "rolling back");
}

core::Result<void> bump_generation(Connection& conn) {
  static const std::string kSql =
      "WITH bumped AS (UPDATE store_generation SET generation = generation + 1 WHERE id = 1 RETURNING generation) "
      "SELECT pg_notify('" + std::string(kChangeChannel) + "', generation::text) FROM bumped";
  auto bumped = conn.query(kSql, "bumping the store generation");
  if (!bumped) return bumped.error();
  if (bumped->size() != 1) return core::Error::internal("store_generation has no row; is the schema migrated?");
  return core::ok();
}

namespace {
std::atomic<std::uint64_t> audit_events_written{0};
std::atomic<std::uint64_t> audit_write_failures{0};
}  // namespace

AuditWriteCounts audit_write_counts() noexcept {
  return {audit_events_written.load(std::memory_order_relaxed), audit_write_failures.load(std::memory_order_relaxed)};
}

void settle_audit_events(Connection& conn, bool committed) noexcept {
  if (conn.pending_audit_events == 0) return;
  if (committed) audit_events_written.fetch_add(conn.pending_audit_events, std::memory_order_relaxed);
  else audit_write_failures.fetch_add(1, std::memory_order_relaxed);
  conn.pending_audit_events = 0;
}

void backoff(int attempt) {
  thread_local std::minstd_rand random{std::random_device{}()};
  const int ceiling_ms = 2 << std::min(attempt, 6);
  std::this_thread::sleep_for(std::chrono::milliseconds(1 + static_cast<int>(random() % static_cast<unsigned>(ceiling_ms))));
}

}  // namespace keyrelay::store::postgres
