#pragma once
// Connection: one open SQLite database handle with its cache of prepared statements.
//
// Every connection is configured the same way when it opens (see open()). Statements are prepared
// once per connection, keyed by their SQL text, and reused; a statement that is already in use
// (a nested query with the same text) gets a fresh uncached copy instead.
//
// Not thread-safe: a connection is used by one thread at a time (ConnectionPool hands it out).
// Owns the sqlite3 handle and every cached statement; statements are finalized before the handle.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <cstdint>
#include <string_view>
#include <unordered_map>

#include "core/result.h"
#include "store/sqlite/statement.h"

struct sqlite3;

namespace keyrelay::store::sqlite {

class Connection {
 public:
  // Opens (creating if missing) the database `file` and applies, in this order:
  //   busy_timeout          wait this long for another writer's lock before SQLITE_BUSY
  //   journal_mode=WAL      readers never block the writer; the -wal/-shm files take the
  //                         database file's permissions
  //   synchronous=FULL      a committed transaction survives power loss
  //   foreign_keys=ON       tokens and keys must belong to an existing user
  //   secure_delete=ON      deleted content (a sealed secret) is overwritten with zeros
  // unavailable when the file cannot be opened, is locked or cannot use WAL; internal otherwise.
  static core::Result<std::unique_ptr<Connection>> open(const std::filesystem::path& file,
                                                        std::chrono::milliseconds busy_timeout);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A statement for `sql` (one statement, ?N parameters), from the cache when it is free.
  core::Result<Statement> prepare(std::string_view sql);
  // Runs `script` (one or more statements, no parameters, results ignored).
  core::Result<void> exec(std::string_view script, std::string_view doing);
  // True when no transaction is open.
  bool in_autocommit() const noexcept;
  sqlite3* handle() const noexcept { return db_; }

  // Audit events appended in the open transaction: counted as written at its commit, as one failed
  // write when it rolls back (store::audit_write_counts()).
  std::uint64_t pending_audit_events = 0;
  // Set by a write that overwrote a sealed secret: once its transaction committed, the WAL is
  // checkpointed and truncated so no frame of the old row stays on disk (write_batcher.h).
  bool truncate_wal_after_commit = false;

 private:
  struct Cached {
    StatementHandle stmt;
    bool in_use = false;
  };
  // Lets the cache be searched with a string_view (no allocation per lookup).
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const noexcept { return std::hash<std::string_view>{}(sql); }
  };
  explicit Connection(sqlite3* db) noexcept : db_(db) {}

  sqlite3* db_;
  std::unordered_map<std::string, Cached, SqlHash, std::equal_to<>> cache_;  // node-based: stable addresses
};

}  // namespace keyrelay::store::sqlite
