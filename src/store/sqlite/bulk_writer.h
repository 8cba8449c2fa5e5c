#pragma once
// BulkWriter: one connection of its own for a long run of big write transactions (the master-key
// re-wrap rewrites every key, thousands per transaction).
//
// Why not a pooled connection: SQLite empties a connection's page cache whenever another
// connection wrote since its last transaction, and pooled connections take turns — so each batch
// would start cold and re-read from the OS the index pages the last one just wrote. Here the same
// connection writes every batch, its cache is large enough for a batch's dirty pages (no spill to
// the WAL mid-transaction), and the WAL is checkpointed every `checkpoint_pages` instead of every
// 1,000: a page rewritten by several batches is copied into the database file once. Durability is
// the pool's: synchronous=FULL, each commit is on disk when it returns.
//
// Thread-safe: acquire() lends the connection to one caller at a time (others wait). Opened on
// first use; a process that never bulk-writes never holds the cache.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>

#include "core/result.h"
#include "store/sqlite/connection.h"

namespace keyrelay::store::sqlite {

struct BulkWriterOptions {
  std::int64_t cache_kib = 256 * 1024;  // page cache of the connection (an upper bound, filled as used)
  int checkpoint_pages = 65536;         // WAL pages (4 KiB, so 256 MiB) between automatic checkpoints
};

class BulkWriter {
 public:
  BulkWriter(std::filesystem::path file, std::chrono::milliseconds busy_timeout, BulkWriterOptions options = {})
      : file_(std::move(file)), busy_timeout_(busy_timeout), options_(options) {}

  // The connection, held by the caller until the lock is released.
  struct Lease {
    std::unique_lock<std::mutex> lock;
    Connection* conn = nullptr;
    Connection& operator*() const noexcept { return *conn; }
  };
  // Opens the connection on first use (the settings of Connection::open plus the bulk ones above).
  core::Result<Lease> acquire();
  // Copies the WAL into the database file and truncates it (so no frame of an older row version
  // stays in the -wal file; secure_delete already zeroed them in the database pages), then closes
  // the connection and frees its cache. Best effort: a reader pinning an old snapshot leaves the
  // rest to the next checkpoint. The next acquire() opens a new connection.
  void release() noexcept;

 private:
  const std::filesystem::path file_;
  const std::chrono::milliseconds busy_timeout_;
  const BulkWriterOptions options_;
  std::mutex mutex_;
  std::unique_ptr<Connection> conn_;  // GUARDED_BY(mutex_)
};

}  // namespace keyrelay::store::sqlite
