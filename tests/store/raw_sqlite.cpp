#include "raw_sqlite.h"

#include <sqlite3.h>

#include <stdexcept>

namespace keyrelay::store::test {

RawSqlite::RawSqlite(const std::filesystem::path& file) {
  if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
    throw std::runtime_error("cannot open " + file.string() + ": " + sqlite3_errmsg(db_));
  sqlite3_busy_timeout(db_, 5000);
}

RawSqlite::~RawSqlite() { sqlite3_close(db_); }

void RawSqlite::exec(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string error = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    throw std::runtime_error(error + " in: " + text);
  }
}

std::string RawSqlite::text(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK)
    throw std::runtime_error(std::string(sqlite3_errmsg(db_)) + " in: " + std::string(sql));
  std::string out;
  const int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    const auto* value = sqlite3_column_text(stmt, 0);
    if (value != nullptr) out = reinterpret_cast<const char*>(value);
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) throw std::runtime_error("step failed in: " + std::string(sql));
  return out;
}

std::int64_t RawSqlite::integer(std::string_view sql) { return std::stoll(text(sql)); }

}  // namespace keyrelay::store::test
