// SqliteStore: opening, schema and health. The data methods live beside this file, one per
// concept: sqlite_store_users.cpp, sqlite_store_keys.cpp, sqlite_store_audit.cpp,
// sqlite_store_rotation.cpp, sqlite_store_usage.cpp, sqlite_store_alerts.cpp.

#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/sqlite/bulk_writer.h"
#include "store/sqlite/connection_pool.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/wal_checkpointer.h"
#include "store/sqlite/write_batcher.h"

namespace keyrelay::store {
namespace {

// Creates `file` with mode 0600 when it does not exist, before SQLite opens it (SQLite would use
// 0644). SQLite gives the -wal and -shm files the database file's mode, so they follow.
core::Result<void> create_private_file(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return core::Error::unavailable("cannot open the database file " + file.string() + ": " + std::strerror(errno));
  ::close(fd);
  return core::ok();
}

}  // namespace

SqliteStore::SqliteStore(SqliteOptions options, std::unique_ptr<sqlite::ConnectionPool> pool,
                         std::unique_ptr<sqlite::WriteBatcher> writer,
                         std::unique_ptr<sqlite::WalCheckpointer> checkpointer, const ChainSealer& sealer)
    : options_(std::move(options)),
      pool_(std::move(pool)),
      writer_(std::move(writer)),
      checkpointer_(std::move(checkpointer)),
      bulk_writer_(std::make_unique<sqlite::BulkWriter>(options_.file, options_.busy_timeout)),
      sealer_(sealer) {}

SqliteStore::~SqliteStore() = default;

core::Result<std::unique_ptr<SqliteStore>> SqliteStore::open(SqliteOptions options, const ChainSealer& sealer) {
  if (options.file.empty()) return core::Error::invalid_request("the SQLite database file is not set");
  if (auto created = create_private_file(options.file); !created) return created.error();
  auto pool = sqlite::ConnectionPool::open(options.file, options.busy_timeout, options.connections);
  if (!pool) return pool.error();
  {
    auto conn = (*pool)->acquire();
    if (!conn) return conn.error();
    if (auto checked = sqlite::check_schema_not_newer(**conn); !checked) return checked.error();
  }
  auto write_conn = sqlite::Connection::open(options.file, options.busy_timeout);
  if (!write_conn) return write_conn.error();
  auto checkpointer = std::make_unique<sqlite::WalCheckpointer>(options.file, options.busy_timeout,
                                                                sqlite::WalCheckpointer::Options{});
  checkpointer->attach(**write_conn);
  auto writer = std::make_unique<sqlite::WriteBatcher>(std::move(*write_conn));
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(options), std::move(*pool), std::move(writer),
                                                      std::move(checkpointer), sealer));
}

core::Result<int> SqliteStore::migrate() {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  return sqlite::apply_migrations(**conn);
}

core::Result<int> SqliteStore::schema_version() {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  return sqlite::read_schema_version(**conn);
}

core::Result<void> SqliteStore::ping() {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  // Touches the file (not just the library): a deleted or unreadable database fails here.
  auto stmt = (*conn)->prepare("SELECT count(*) FROM sqlite_master");
  if (!stmt) return stmt.error();
  auto row = stmt->step("ping");
  if (!row) return row.error();
  return core::ok();
}

core::Result<std::uint64_t> SqliteStore::generation() {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  auto stmt = (*conn)->prepare("SELECT generation FROM store_generation WHERE id = 1");
  if (!stmt) return stmt.error();
  auto row = stmt->step("reading the store generation");
  if (!row) return row.error();
  if (!*row) return core::Error::internal("store_generation has no row; is the schema migrated?");
  return static_cast<std::uint64_t>(stmt->int_at(0));
}

core::Result<bool> SqliteStore::is_empty() {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  auto stmt = (*conn)->prepare("SELECT EXISTS (SELECT 1 FROM users)");
  if (!stmt) return stmt.error();
  auto row = stmt->step("checking for users");
  if (!row) return row.error();
  return stmt->int_at(0) == 0;
}

}  // namespace keyrelay::store
