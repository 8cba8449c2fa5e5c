#include "store/postgres/migrations.h"

#include <string>

#include "store/postgres/transaction.h"

namespace keyrelay::store::postgres {
namespace {

// pg_advisory_xact_lock key of the migrations: "keyrelay" in ASCII.
constexpr std::int64_t kMigrationLock = 0x6b657972656c6179;

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)";

// The runtime role must be able to use every table the migrations created; re-granted after each
// script, so a new table never misses it. Tables without RLS (audit, nodes, store_generation)
// are reached through the store's methods only.
constexpr std::string_view kGrantRuntime = R"sql(
DO $$
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO keyrelay_runtime', current_schema());
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO keyrelay_runtime', current_schema());
END $$;
REVOKE ALL ON schema_migrations FROM keyrelay_runtime;
)sql";

core::Error newer_schema(int found) {
  return core::Error::unavailable("the database schema is version " + std::to_string(found) +
                                  ", newer than this keyrelay knows (" + std::to_string(latest_schema_version()) +
                                  "); upgrade keyrelay or restore a backup made for this version");
}

core::Result<int> version_in(Connection& conn) {
  auto exists = conn.query("SELECT to_regclass('schema_migrations') IS NOT NULL", "reading the schema version");
  if (!exists) return exists.error();
  if (!exists->bool_at(0, 0)) return 0;
  auto version = conn.query("SELECT coalesce(max(version), 0)::bigint FROM schema_migrations",
                            "reading the schema version");
  if (!version) return version.error();
  return static_cast<int>(version->int_at(0, 0));
}

}  // namespace

core::Result<int> read_schema_version(ConnectionPool& pool) {
  return run_transaction(pool, Access::owner(), Mode::read, Bump::none,
                         [](Connection& conn) { return version_in(conn); });
}

core::Result<void> check_schema_not_newer(ConnectionPool& pool) {
  auto version = read_schema_version(pool);
  if (!version) return version.error();
  if (*version > latest_schema_version()) return newer_schema(*version);
  return core::ok();
}

core::Result<int> apply_migrations(ConnectionPool& pool) {
  int applied = 0;
  for (const Migration& migration : migrations()) {
    auto step = run_transaction(pool, Access::owner(), Mode::write, Bump::none, [&](Connection& conn) -> core::Result<bool> {
      Params lock;
      lock.integer(kMigrationLock);
      if (auto locked = conn.query("SELECT pg_advisory_xact_lock($1::bigint)", lock, "waiting for the migration lock");
          !locked)
        return locked.error();
      if (auto created = conn.exec(kCreateMigrationsTable, "creating schema_migrations"); !created)
        return created.error();
      auto current = version_in(conn);
      if (!current) return current.error();
      if (*current > latest_schema_version()) return newer_schema(*current);
      if (*current >= migration.version) return false;
      if (*current != migration.version - 1)
        return core::Error::internal("schema_migrations skips from " + std::to_string(*current) + " to " +
                                     std::to_string(migration.version));
      const std::string doing = "applying migration " + std::to_string(migration.version);
      if (auto done = conn.exec(migration.script, doing); !done) return done.error();
      if (auto granted = conn.exec(kGrantRuntime, doing); !granted) return granted.error();
      Params record;
      record.integer(migration.version).time(std::chrono::system_clock::now());
      if (auto recorded = conn.query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)", record, doing);
          !recorded)
        return recorded.error();
      return true;
    });
    if (!step) return step.error();
    if (*step) ++applied;
  }
  return applied;
}

}  // namespace keyrelay::store::postgres
