#include "raw_database.h"

#include <stdexcept>
#include <string>

namespace keyrelay::test {

RawDatabase::RawDatabase(const std::filesystem::path& file) {
  if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
    throw std::runtime_error("cannot open " + file.string() + ": " + sqlite3_errmsg(db_));
  sqlite3_busy_timeout(db_, 5000);  // a running server may hold the write lock for a moment
}

RawDatabase::~RawDatabase() { sqlite3_close(db_); }

sqlite3_stmt* RawDatabase::prepare(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
    throw std::runtime_error("SQL failed: " + sql + ": " + sqlite3_errmsg(db_));
  return stmt;
}

int RawDatabase::finish(sqlite3_stmt* stmt, const std::string& sql) {
  const int rc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) throw std::runtime_error("SQL failed: " + sql + ": " + sqlite3_errmsg(db_));
  return sqlite3_changes(db_);
}

int RawDatabase::exec(const std::string& sql, const std::vector<std::string>& params) {
  if (params.empty() && sql.find(';') != std::string::npos && sql.find(';') + 1 < sql.size()) {
    // Several statements: sqlite3_exec runs them all.
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string message = error != nullptr ? error : "?";
      sqlite3_free(error);
      throw std::runtime_error("SQL failed: " + sql + ": " + message);
    }
    return sqlite3_changes(db_);
  }
  auto* stmt = prepare(sql);
  for (std::size_t i = 0; i < params.size(); ++i)
    sqlite3_bind_text(stmt, static_cast<int>(i + 1), params[i].c_str(), -1, SQLITE_TRANSIENT);
  return finish(stmt, sql);
}

std::vector<std::string> RawDatabase::column(const std::string& sql) {
  auto* stmt = prepare(sql);
  std::vector<std::string> out;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    // By length, not up to the first NUL: a BLOB (a token hash) may hold zero bytes anywhere,
    // even first, and read as a C string it came back cut short or empty.
    const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, 0));
    out.emplace_back(bytes != nullptr ? std::string(bytes, static_cast<std::size_t>(sqlite3_column_bytes(stmt, 0)))
                                      : std::string());
  }
  sqlite3_finalize(stmt);
  return out;
}

std::string RawDatabase::value(const std::string& sql) {
  auto rows = column(sql);
  if (rows.empty()) throw std::runtime_error("no row for: " + sql);
  return rows.front();
}

std::string RawDatabase::key_blob(std::string_view column_name, const std::string& id) {
  const std::string sql = "SELECT " + std::string(column_name) + " FROM api_keys WHERE id = ?1";
  auto* stmt = prepare(sql);
  sqlite3_bind_text(stmt, 1, id.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(stmt) != SQLITE_ROW) {
    sqlite3_finalize(stmt);
    throw std::runtime_error("no row for: " + sql + " with " + id);
  }
  const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, 0));
  std::string out(bytes, bytes + sqlite3_column_bytes(stmt, 0));
  sqlite3_finalize(stmt);
  return out;
}

int RawDatabase::set_key_blob(std::string_view column_name, const std::string& id, const std::string& bytes) {
  const std::string sql = "UPDATE api_keys SET " + std::string(column_name) + " = ?1 WHERE id = ?2";
  auto* stmt = prepare(sql);
  sqlite3_bind_blob(stmt, 1, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(stmt, 2, id.c_str(), -1, SQLITE_TRANSIENT);
  return finish(stmt, sql);
}

void RawDatabase::drop_audit_triggers() {
  for (const auto& name : column("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"))
    exec("DROP TRIGGER \"" + name + "\"");
}

}  // namespace keyrelay::test
