#pragma once
// The engines the store contract suite runs against. Every contract test is instantiated once per
// entry of store_engines(): adding an engine is one line there.

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/result.h"
#include "store/store.h"

namespace keyrelay::store::test {

struct StoreEngine {
  std::string name;  // a valid gtest name: letters, digits, '_'
  // Opens (without migrating) the database that belongs to `dir`: a fresh one the first time, the
  // same one on every later call with the same dir (a second process).
  std::function<core::Result<std::unique_ptr<Store>>(const std::filesystem::path& dir, const ChainSealer& sealer)>
      open;
};

const std::vector<StoreEngine>& store_engines();
// The SQLite engine alone, for the SQLite-specific suites that reuse the contract fixture.
std::vector<StoreEngine> sqlite_engine_only();
// The PostgreSQL engine alone, for the PostgreSQL-specific suites (row-level security, change feed).
std::vector<StoreEngine> postgres_engine_only();
// The database file the SQLite engine uses for `dir`.
std::filesystem::path sqlite_database_file(const std::filesystem::path& dir);

// Prints the engine's name (test names and failure messages), not its bytes.
void PrintTo(const StoreEngine& engine, std::ostream* out);

// For INSTANTIATE_TEST_SUITE_P: names each instance after its engine.
std::string engine_name(const ::testing::TestParamInfo<StoreEngine>& info);

}  // namespace keyrelay::store::test

// Instantiates the value-parameterized fixture `Suite` for every engine.
#define KEYRELAY_STORE_CONTRACT(Suite)                                                                     \
  INSTANTIATE_TEST_SUITE_P(Engines, Suite, ::testing::ValuesIn(::keyrelay::store::test::store_engines()), \
                           ::keyrelay::store::test::engine_name)
