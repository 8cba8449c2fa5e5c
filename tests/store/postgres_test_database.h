#pragma once
// Fresh PostgreSQL databases for the store tests, fast.
//
// One server serves the whole ctest run: the `store.shared_postgres.start` fixture test
// (tests/pg_fixture) starts it before the first test that needs it and writes its URL to the file
// named by KEYRELAY_TEST_POSTGRES_URL_FILE, the `…stop` test stops it after the last. A test binary
// run by hand (no such variable) starts its own server once, on first use, and stops it at exit.
// Each key `dir` (a test's temp dir) gets its own database, created empty on first use (CREATE
// DATABASE from template0, ~0.1 s) and the same one on every later call, so a second store
// object "in another process" opens the same data. Databases this process created are dropped at
// exit. Thread-safe.

#include <filesystem>
#include <string>

namespace keyrelay::store::test {

// The URL of the database that belongs to `dir`. Throws std::runtime_error when no server is available.
std::string postgres_database_url(const std::filesystem::path& dir);
// The URL of the server's maintenance database (postgres), as its superuser.
std::string postgres_server_url();

}  // namespace keyrelay::store::test
