// PostgresStore: opening, schema and health. The data methods live beside this file, one area per
// file: postgres_store_users.cpp (users, tokens), _keys, _rotation, _nodes, _audit, _usage, _alerts.

#include "store/postgres/postgres_store.h"

#include "store/postgres/connection_pool.h"
#include "store/postgres/migrations.h"
#include "store/postgres/transaction.h"

namespace keyrelay::store {

using postgres::Access;
using postgres::Connection;

PostgresStore::PostgresStore(PostgresOptions options, std::unique_ptr<postgres::ConnectionPool> pool,
                             const ChainSealer& sealer)
    : options_(std::move(options)), pool_(std::move(pool)), sealer_(sealer) {}

PostgresStore::~PostgresStore() = default;

core::Result<std::unique_ptr<PostgresStore>> PostgresStore::open(PostgresOptions options, const ChainSealer& sealer) {
  if (options.url.empty()) return core::Error::invalid_request("the PostgreSQL database URL is not set");
  postgres::PoolSettings settings;
  settings.connection.url = options.url;
  settings.connection.connect_timeout = options.connect_timeout;
  settings.size = options.pool_size;
  settings.acquire_timeout = options.acquire_timeout;
  auto pool = postgres::ConnectionPool::open(std::move(settings));
  if (!pool) return pool.error();
  if (auto checked = postgres::check_schema_not_newer(**pool); !checked) return checked.error();
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(options), std::move(*pool), sealer));
}

core::Result<int> PostgresStore::migrate() { return postgres::apply_migrations(*pool_); }

core::Result<int> PostgresStore::schema_version() { return postgres::read_schema_version(*pool_); }

core::Result<void> PostgresStore::ping() {
  // A round trip through a pooled connection: a server that went away fails here.
  return postgres::read_transaction(*pool_, Access::owner(), [](Connection& conn) -> core::Result<void> {
    auto row = conn.query("SELECT 1", "ping");
    if (!row) return row.error();
    return core::ok();
  });
}

core::Result<std::uint64_t> PostgresStore::generation() {
  return postgres::read_transaction(*pool_, Access::admin(), [](Connection& conn) -> core::Result<std::uint64_t> {
    auto row = conn.query("SELECT generation FROM store_generation WHERE id = 1", "reading the store generation");
    if (!row) return row.error();
    if (row->empty()) return core::Error::internal("store_generation has no row; is the schema migrated?");
    return static_cast<std::uint64_t>(row->int_at(0, 0));
  });
}

core::Result<bool> PostgresStore::is_empty() {
  return postgres::read_transaction(*pool_, Access::admin(), [](Connection& conn) -> core::Result<bool> {
    auto row = conn.query("SELECT EXISTS (SELECT 1 FROM users)", "checking for users");
    if (!row) return row.error();
    return !row->bool_at(0, 0);
  });
}

}  // namespace keyrelay::store
