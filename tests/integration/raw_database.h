#pragma once
// A SQLite connection opened directly on a data dir's keyrelay.db, as a tamperer (or a writer that
// does not exist yet, such as the gateway's usage batches) would: it bypasses keyrelay entirely.
// Every failure throws std::runtime_error naming the SQL.

#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace keyrelay::test {

class RawDatabase {
 public:
  explicit RawDatabase(const std::filesystem::path& file);
  ~RawDatabase();
  RawDatabase(const RawDatabase&) = delete;
  RawDatabase& operator=(const RawDatabase&) = delete;

  // Runs `sql` with the text parameters `params` (?1, ?2 …); returns how many rows it changed.
  int exec(const std::string& sql, const std::vector<std::string>& params = {});
  // The first column of every row of `sql`, as its bytes (a BLOB whole, zero bytes included).
  std::vector<std::string> column(const std::string& sql);
  // The first column of the first row; throws when there is none.
  std::string value(const std::string& sql);

  // The BLOB `column` of the api_keys row `id`, and replacing it.
  std::string key_blob(std::string_view column, const std::string& id);
  int set_key_blob(std::string_view column, const std::string& id, const std::string& bytes);

  // An attacker with the file can drop whatever guards the table (append-only triggers, say).
  void drop_audit_triggers();

 private:
  sqlite3_stmt* prepare(const std::string& sql);
  int finish(sqlite3_stmt* stmt, const std::string& sql);

  sqlite3* db_ = nullptr;
};

}  // namespace keyrelay::test
