#include "store_engines.h"

#include "postgres_test_database.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace keyrelay::store::test {
namespace {

core::Result<std::unique_ptr<Store>> open_sqlite(const std::filesystem::path& dir, const ChainSealer& sealer) {
  SqliteOptions options;
  options.file = sqlite_database_file(dir);
  auto store = SqliteStore::open(std::move(options), sealer);
  if (!store) return store.error();
  return std::unique_ptr<Store>(std::move(*store));
}

core::Result<std::unique_ptr<Store>> open_postgres(const std::filesystem::path& dir, const ChainSealer& sealer) {
  PostgresOptions options;
  options.url = postgres_database_url(dir);
  options.pool_size = 4;
  auto store = PostgresStore::open(std::move(options), sealer);
  if (!store) return store.error();
  return std::unique_ptr<Store>(std::move(*store));
}

}  // namespace

const std::vector<StoreEngine>& store_engines() {
  static const std::vector<StoreEngine> engines{
      {"sqlite", open_sqlite},
      {"postgres", open_postgres},
  };
  return engines;
}

std::vector<StoreEngine> sqlite_engine_only() { return {store_engines().front()}; }

std::vector<StoreEngine> postgres_engine_only() { return {store_engines().back()}; }

std::filesystem::path sqlite_database_file(const std::filesystem::path& dir) { return dir / "store.db"; }

void PrintTo(const StoreEngine& engine, std::ostream* out) { *out << engine.name; }

std::string engine_name(const ::testing::TestParamInfo<StoreEngine>& info) { return info.param.name; }

}  // namespace keyrelay::store::test
