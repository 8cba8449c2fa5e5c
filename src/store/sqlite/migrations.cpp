#include "store/sqlite/migrations.h"

#include <chrono>
#include <string>

#include "store/sqlite/transaction.h"

namespace keyrelay::store::sqlite {
namespace {

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)";

core::Result<bool> migrations_table_exists(Connection& conn) {
  auto stmt = conn.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (!stmt) return stmt.error();
  return stmt->step("reading the schema version");
}

core::Error newer_schema(int found) {
  return core::Error::unavailable("the database schema is version " + std::to_string(found) +
                               ", newer than this keyrelay knows (" + std::to_string(latest_schema_version()) +
                               "); upgrade keyrelay or restore a backup made for this version");
}

// Applies the migration after `current`; runs inside the caller's write transaction.
core::Result<void> apply_one(Connection& conn, const Migration& migration) {
  const std::string doing = "applying migration " + std::to_string(migration.version);
  if (auto done = conn.exec(migration.script, doing); !done) return done.error();
  auto record = conn.prepare(
      "INSERT INTO schema_migrations (version, applied_at) "
      "VALUES (?1, ?2)");
  if (!record) return record.error();
  record->bind_int(1, migration.version);
  record->bind_time(2, std::chrono::system_clock::now());
  return record->run(doing);
}

}  // namespace

core::Result<int> read_schema_version(Connection& conn) {
  auto exists = migrations_table_exists(conn);
  if (!exists) return exists.error();
  if (!*exists) return 0;
  auto stmt = conn.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!stmt) return stmt.error();
  auto row = stmt->step("reading the schema version");
  if (!row) return row.error();
  return static_cast<int>(stmt->int_at(0));
}

core::Result<void> check_schema_not_newer(Connection& conn) {
  auto version = read_schema_version(conn);
  if (!version) return version.error();
  if (*version > latest_schema_version()) return newer_schema(*version);
  return core::ok();
}

core::Result<int> apply_migrations(Connection& conn) {
  int applied = 0;
  for (const Migration& migration : migrations()) {
    // Each step re-reads the version under the write lock: another process may have got there first.
    auto step = in_write_transaction(conn, Bump::none, [&]() -> core::Result<bool> {
      if (auto created = conn.exec(kCreateMigrationsTable, "creating schema_migrations"); !created)
        return created.error();
      auto current = read_schema_version(conn);
      if (!current) return current.error();
      if (*current > latest_schema_version()) return newer_schema(*current);
      if (*current >= migration.version) return false;
      if (*current != migration.version - 1)
        return core::Error::internal("schema_migrations skips from " + std::to_string(*current) + " to " +
                                     std::to_string(migration.version));
      if (auto done = apply_one(conn, migration); !done) return done.error();
      return true;
    });
    if (!step) return step.error();
    if (*step) ++applied;
  }
  return applied;
}

}  // namespace keyrelay::store::sqlite

