#include "store/sqlite/connection_pool.h"

#include <algorithm>

namespace keyrelay::store::sqlite {

ConnectionPool::Lease::~Lease() {
  if (conn_) pool_->give_back(std::move(conn_));
}

core::Result<std::unique_ptr<ConnectionPool>> ConnectionPool::open(const std::filesystem::path& file,
                                                                   std::chrono::milliseconds busy_timeout,
                                                                   std::size_t size) {
  std::unique_ptr<ConnectionPool> pool(new ConnectionPool(busy_timeout));
  pool->idle_.reserve(std::max<std::size_t>(size, 1));
  for (std::size_t i = 0; i < std::max<std::size_t>(size, 1); ++i) {
    auto conn = Connection::open(file, busy_timeout);
    if (!conn) return conn.error();
    pool->idle_.push_back(std::move(*conn));
  }
  return pool;
}

core::Result<ConnectionPool::Lease> ConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  if (!available_.wait_for(lock, wait_, [this] { return !idle_.empty(); }))
    return core::Error::unavailable("all database connections are busy; try again");
  auto conn = std::move(idle_.back());
  idle_.pop_back();
  return Lease(*this, std::move(conn));
}

void ConnectionPool::give_back(std::unique_ptr<Connection> conn) noexcept {
  // Never lend out a connection that is still inside a transaction (a failed ROLLBACK).
  if (!conn->in_autocommit()) (void)conn->exec("ROLLBACK", "rolling back a returned connection");
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(conn));
  }
  available_.notify_one();
}

}  // namespace keyrelay::store::sqlite
