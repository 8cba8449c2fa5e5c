#include "store/sqlite/connection.h"

#include <sqlite3.h>

#include <string>

#include "store/sqlite/sqlite_error.h"

namespace keyrelay::store::sqlite {
namespace {

// A PRAGMA that answers with one text row (journal_mode), or with none (the setters).
core::Result<std::string> pragma(Connection& conn, std::string_view sql, std::string_view doing) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(conn.handle(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(conn.handle(), rc, doing);
  Statement stmt(conn.handle(), StatementHandle(raw));
  auto row = stmt.step(doing);
  if (!row) return row.error();
  return *row ? stmt.text_at(0) : std::string();
}

// Process-wide settings, once, before SQLite initializes. No memory statistics: keeping them takes
// a global mutex around every allocation SQLite makes (a dozen per audit insert), and nothing
// reads them.
void configure_sqlite_once() {
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);  // SQLITE_MISUSE if SQLite already started: harmless
    return true;
  }();
  (void)configured;
}

}  // namespace

core::Result<std::unique_ptr<Connection>> Connection::open(const std::filesystem::path& file,
                                                           std::chrono::milliseconds busy_timeout) {
  configure_sqlite_once();
  const std::string doing = "opening " + file.string();
  sqlite3* raw = nullptr;
  // NOMUTEX: the pool gives each connection to one thread at a time, so SQLite needs no lock of its own.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(file.c_str(), &raw, flags, nullptr);
  std::unique_ptr<Connection> conn(new Connection(raw));  // closes `raw` even when opening failed
  if (rc != SQLITE_OK) {
    if ((rc & 0xff) == SQLITE_CANTOPEN)
      return core::Error::unavailable("cannot open the database file " + file.string());
    return sqlite_error(raw, rc, doing);
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, static_cast<int>(busy_timeout.count()));

  auto mode = pragma(*conn, "PRAGMA journal_mode=WAL", doing);
  if (!mode) return mode.error();
  if (*mode != "wal")
    return core::Error::unavailable("the database " + file.string() + " cannot use WAL journaling (got '" + *mode + "')");
  // cache_size: 1 MiB per connection instead of 2 (a connection's pages are those of its last
  // queries; the OS keeps the file cached), so the pool and the writer stay small in RSS.
  // temp_store=MEMORY: a group commit runs each write in a savepoint, whose journal (the pages'
  // old images) SQLite otherwise spills past 64 KiB into a temporary file it creates, writes and
  // unlinks in /var/tmp: some 20 system calls per group on key create's path, and page images of
  // the vault on a disk outside the data directory.
  for (std::string_view setting : {"PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON", "PRAGMA secure_delete=ON",
                                   "PRAGMA cache_size=-1024", "PRAGMA temp_store=MEMORY"}) {
    auto done = pragma(*conn, setting, doing);
    if (!done) return done.error();
  }
  return conn;
}

Connection::~Connection() {
  cache_.clear();  // finalize every statement before closing the handle
  sqlite3_close(db_);
}

core::Result<Statement> Connection::prepare(std::string_view sql) {
  auto found = cache_.find(sql);
  if (found != cache_.end() && !found->second.in_use) {
    found->second.in_use = true;
    return Statement(db_, found->second.stmt.get(), &found->second.in_use);
  }
  sqlite3_stmt* raw = nullptr;
  const unsigned flags = found == cache_.end() ? SQLITE_PREPARE_PERSISTENT : 0;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), flags, &raw, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(raw);
    return sqlite_error(db_, rc, "preparing a statement");
  }
  if (raw == nullptr) return core::Error::internal("sqlite: an empty statement was prepared");
  StatementHandle handle(raw);
  if (found != cache_.end()) return Statement(db_, std::move(handle));  // the cached one is busy
  auto& cached = cache_.emplace(std::string(sql), Cached{}).first->second;
  cached.stmt = std::move(handle);
  cached.in_use = true;
  return Statement(db_, cached.stmt.get(), &cached.in_use);
}

core::Result<void> Connection::exec(std::string_view script, std::string_view doing) {
  const std::string text(script);  // sqlite3_exec wants a terminated string
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, doing);
  return core::ok();
}

bool Connection::in_autocommit() const noexcept { return sqlite3_get_autocommit(db_) != 0; }

}  // namespace keyrelay::store::sqlite
