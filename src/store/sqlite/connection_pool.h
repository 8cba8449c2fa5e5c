#pragma once
// ConnectionPool: a fixed set of SQLite connections to one database file, lent to one caller at a
// time. WAL mode lets the borrowed connections read concurrently; writers serialize on SQLite's
// write lock (BEGIN IMMEDIATE + busy_timeout), not on the pool.
//
// Thread-safe: acquire() may be called from any thread; `mutex_` guards the idle list. Owns every
// connection. A Lease must be returned (destroyed) before the pool is destroyed.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "core/result.h"
#include "store/sqlite/connection.h"

namespace keyrelay::store::sqlite {

class ConnectionPool {
 public:
  // A borrowed connection; goes back to the pool when destroyed. Move-only.
  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Connection> conn) noexcept : pool_(&pool), conn_(std::move(conn)) {}
    ~Lease();
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    Connection& operator*() const noexcept { return *conn_; }
    Connection* operator->() const noexcept { return conn_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> conn_;  // null once moved from
  };

  // Opens `size` (at least 1) connections to `file` (see Connection::open for the settings).
  static core::Result<std::unique_ptr<ConnectionPool>> open(const std::filesystem::path& file,
                                                            std::chrono::milliseconds busy_timeout,
                                                            std::size_t size);

  // Waits up to busy_timeout for an idle connection. unavailable when none came free.
  core::Result<Lease> acquire();

 private:
  explicit ConnectionPool(std::chrono::milliseconds wait) noexcept : wait_(wait) {}
  void give_back(std::unique_ptr<Connection> conn) noexcept;

  const std::chrono::milliseconds wait_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;  // GUARDED_BY(mutex_)
};

}  // namespace keyrelay::store::sqlite
