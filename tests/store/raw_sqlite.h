#pragma once
// RawSqlite: a plain SQLite connection for tests that look under the engine (file contents,
// schema objects, injected faults, a competing lock holder). Not thread-safe; throws
// std::runtime_error on any SQLite error, so a broken test set-up fails loudly.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

struct sqlite3;

namespace keyrelay::store::test {

class RawSqlite {
 public:
  explicit RawSqlite(const std::filesystem::path& file);
  ~RawSqlite();
  RawSqlite(const RawSqlite&) = delete;
  RawSqlite& operator=(const RawSqlite&) = delete;

  // Runs one or more statements.
  void exec(std::string_view sql);
  // The first column of the first row of `sql` as text ("" when there is no row).
  std::string text(std::string_view sql);
  std::int64_t integer(std::string_view sql);

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace keyrelay::store::test
