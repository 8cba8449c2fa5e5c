#pragma once
// Versioned schema migrations of the SQLite engine, embedded in the binary.
//
// Migration N is one SQL script; it runs inside its own write transaction together with the row
// `schema_migrations(N, applied_at)` that records it, so a migration is applied whole or not at all.
// Because the version is re-read after BEGIN IMMEDIATE, two processes migrating at once apply each
// migration exactly once. A database whose version is newer than the binary knows is refused.
// Migrations are never edited once released: a change to the schema is a new version.

#include <span>
#include <string_view>

#include "core/result.h"
#include "store/sqlite/connection.h"

namespace keyrelay::store::sqlite {

struct Migration {
  int version;               // 1, 2, ... without gaps
  std::string_view summary;  // one line, for the log
  std::string_view script;
};

// Every migration this binary knows, ascending.
std::span<const Migration> migrations() noexcept;
// The highest version in migrations().
int latest_schema_version() noexcept;

// The version recorded in the database (0 when nothing was applied yet).
core::Result<int> read_schema_version(Connection& conn);
// unavailable, naming both versions, when the database was migrated by a newer keyrelay (not
// internal: the operator must see the message, and the CLI hides internal details).
core::Result<void> check_schema_not_newer(Connection& conn);
// Applies the missing migrations in order; returns how many this call applied.
core::Result<int> apply_migrations(Connection& conn);

}  // namespace keyrelay::store::sqlite
