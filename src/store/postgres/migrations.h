#pragma once
// PostgreSQL schema migrations: numbered scripts applied in order, each in its own transaction
// under a transaction-scoped advisory lock, so nodes starting together migrate once (the others
// wait on the lock, then find the version already applied).
// The versions mirror the SQLite engine's (same tables, same numbers), so a store copy can compare them.

#include <span>
#include <string_view>

#include "core/result.h"
#include "store/postgres/connection_pool.h"

namespace keyrelay::store::postgres {

struct Migration {
  int version;
  std::string_view description;
  std::string_view script;
};

// Every migration, in order (migration_scripts.cpp).
std::span<const Migration> migrations() noexcept;
int latest_schema_version() noexcept;

// 0 when the database has never been migrated.
core::Result<int> read_schema_version(ConnectionPool& pool);
// unavailable when the database's schema is newer than this binary knows.
core::Result<void> check_schema_not_newer(ConnectionPool& pool);
// Applies the pending migrations; returns how many this call applied.
core::Result<int> apply_migrations(ConnectionPool& pool);

}  // namespace keyrelay::store::postgres
