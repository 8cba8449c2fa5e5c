#pragma once
// ConnectionPool: at most `size` connections to one PostgreSQL database, opened on demand and lent
// to one caller at a time.
//
// acquire() waits up to `acquire_timeout` for a free connection (or room to open one), then fails
// with unavailable, so a saturated pool answers 503 instead of queueing forever. Callers are
// worker threads (store.h: store calls never run on I/O threads), so the wait blocks no I/O.
// A connection that comes back broken (server restarted, network cut) or stuck in a transaction is
// closed and its slot freed; the next acquire() opens a fresh one. So the store recovers by itself
// once the server is back.
// Thread-safe: `mutex_` guards the idle list and the count. A Lease must be destroyed before the pool.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "core/result.h"
#include "store/postgres/connection.h"

namespace keyrelay::store::postgres {

struct PoolSettings {
  ConnectionSettings connection;
  std::size_t size = 8;                              // at least 1
  std::chrono::milliseconds acquire_timeout{5000};   // wait for a free connection
};

class ConnectionPool {
 public:
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

  // Opens the first connection at once, so a wrong URL or an unreachable server fails here.
  static core::Result<std::unique_ptr<ConnectionPool>> open(PoolSettings settings);

  // A free connection: an idle one, else a new one while fewer than `size` exist, else the first
  // one given back within acquire_timeout. unavailable when none came, or a new one cannot connect.
  core::Result<Lease> acquire();

  // Closes every idle connection (after the server restarted, say); leased ones close when returned broken.
  void drop_idle();

  const PoolSettings& settings() const noexcept { return settings_; }

 private:
  explicit ConnectionPool(PoolSettings settings) : settings_(std::move(settings)) {}
  void give_back(std::unique_ptr<Connection> conn) noexcept;

  const PoolSettings settings_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;  // GUARDED_BY(mutex_)
  std::size_t open_ = 0;                           // GUARDED_BY(mutex_): idle + lent + being opened
};

}  // namespace keyrelay::store::postgres
