#pragma once
// WalCheckpointer: copies the WAL back into the database file on a thread of its own, so that no
// write waits for it.
//
// SQLite's automatic checkpoint runs inside the COMMIT that takes the WAL past 1000 pages: that one
// write (and every write of its group, and every write queued behind it) waits while some 4 MB are
// written to the database file and synced. That was most of key create's p99. Here the write
// connection's commits only report the WAL's size; past `wake_at_pages` this thread runs a PASSIVE
// checkpoint on its own connection (it never blocks the writer nor readers). A PASSIVE checkpoint
// that cannot catch up with writes arriving all the time would let the WAL grow without bound, so
// past `inline_at_pages` the commit checkpoints inline after all, as SQLite would have.
//
// Thread-safe. Attach it to one write connection; destroy it before that connection.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "store/sqlite/connection.h"

namespace keyrelay::store::sqlite {

class WalCheckpointer {
 public:
  struct Options {
    // About 1 MiB of WAL (SQLite's own threshold is 1000 pages). What a checkpoint copies into the
    // database file is flushed with it, and a commit's WAL sync waits behind that flush (one
    // filesystem journal): 4 MiB checkpoints put 18–90 ms commits into key create's p99 at 8
    // clients, 16 MiB ones more, 1 MiB ones none in three runs (p99 5.4–6.0 ms), for 0.03 more
    // fdatasync per create and no change on the gateway's path (BENCHMARKS.md, fifth session).
    int wake_at_pages = 250;
    int inline_at_pages = 8000;  // about 32 MB of WAL: the commit checkpoints itself
  };

  WalCheckpointer(std::filesystem::path file, std::chrono::milliseconds busy_timeout, Options options);
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Takes over the WAL hook of `writer` (which turns its automatic checkpoint off).
  void attach(Connection& writer);

  // For tests and diagnostics.
  std::uint64_t background_checkpoints() const noexcept { return background_.load(std::memory_order_relaxed); }
  std::uint64_t inline_checkpoints() const noexcept { return inline_.load(std::memory_order_relaxed); }
  // Background checkpoints that could not run (no connection, an I/O error); the WAL then grows
  // until the next one succeeds or the inline bound takes over.
  std::uint64_t failed_checkpoints() const noexcept { return failed_.load(std::memory_order_relaxed); }

 private:
  static int on_commit(void* self, struct sqlite3* db, const char* schema, int wal_pages);
  void run();
  void checkpoint_once();

  const std::filesystem::path file_;
  const std::chrono::milliseconds busy_timeout_;
  const Options options_;
  std::unique_ptr<Connection> conn_;  // this thread's own, opened at its first checkpoint

  std::mutex mutex_;
  std::condition_variable wake_;
  bool requested_ = false;  // GUARDED_BY(mutex_)
  bool stopping_ = false;   // GUARDED_BY(mutex_)
  std::atomic<std::uint64_t> background_{0};
  std::atomic<std::uint64_t> inline_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace keyrelay::store::sqlite
