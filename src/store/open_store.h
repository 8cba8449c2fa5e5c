#pragma once
// Choosing and opening the store engine from the operator's database URL.

#include <filesystem>
#include <cstddef>
#include <memory>
#include <string_view>

#include "core/result.h"
#include "store/store.h"
#include "store/store_copy.h"

namespace keyrelay::store {

// Opens the engine `database_url` names (KEYRELAY_DATABASE_URL). Does not migrate.
//   ""                       SQLite at data_dir/keyrelay.db; data_dir is created (mode 0700) if missing
//   "sqlite:///abs/path.db"  SQLite at /abs/path.db
//   "sqlite://rel/path.db"   SQLite at rel/path.db, relative to the working directory
//   "postgresql://…", "postgres://…"  PostgreSQL (PostgresStore::open; sslmode and the other libpq
//                                     URL parameters pass through to libpq)
//   anything else            invalid_request
// Errors name the URL's scheme or the file, never a password. Otherwise as SqliteStore::open /
// PostgresStore::open.
// `sealer` must outlive the store.
// How a shared engine is sized; SQLite ignores it.
struct StoreTuning {
  std::size_t pool_size = 8;  // PostgreSQL connections at most (KEYRELAY_DATABASE_POOL_SIZE)
};

core::Result<std::unique_ptr<Store>> open_store(std::string_view database_url, const std::filesystem::path& data_dir,
                                                const ChainSealer& sealer, const StoreTuning& tuning = {});

// The two ends of a copy (store/store_copy.h: `keyrelay store copy`, backup and restore), from the
// same URLs, on either engine. A SQLite source must exist (not_found: a copy never creates its
// source); a SQLite target is created if missing. Neither migrates: open_store(…)->migrate() first.
core::Result<std::unique_ptr<CopySource>> open_copy_source(std::string_view database_url,
                                                           const std::filesystem::path& data_dir);
core::Result<std::unique_ptr<CopyTarget>> open_copy_target(std::string_view database_url,
                                                           const std::filesystem::path& data_dir);

// True for postgres:// and postgresql:// URLs.
bool is_postgres_database_url(std::string_view database_url);

}  // namespace keyrelay::store
