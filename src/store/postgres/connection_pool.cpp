#include "store/postgres/connection_pool.h"

#include <algorithm>

namespace keyrelay::store::postgres {

ConnectionPool::Lease::~Lease() {
  if (conn_) pool_->give_back(std::move(conn_));
}

core::Result<std::unique_ptr<ConnectionPool>> ConnectionPool::open(PoolSettings settings) {
  settings.size = std::max<std::size_t>(settings.size, 1);
  auto first = Connection::open(settings.connection);
  if (!first) return first.error();
  std::unique_ptr<ConnectionPool> pool(new ConnectionPool(std::move(settings)));
  pool->idle_.push_back(std::move(*first));
  pool->open_ = 1;
  return pool;
}

core::Result<ConnectionPool::Lease> ConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  if (!available_.wait_for(lock, settings_.acquire_timeout,
                           [this] { return !idle_.empty() || open_ < settings_.size; }))
    return core::Error::unavailable("all database connections are busy; try again");
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(conn));
  }
  ++open_;  // reserve the slot, then connect without holding the lock
  lock.unlock();
  auto conn = Connection::open(settings_.connection);
  if (!conn) {
    lock.lock();
    --open_;
    lock.unlock();
    available_.notify_one();
    // Clients see that the database is down, not where it is (libpq names the host and port); the
    // reason is what open() reported at start, and what a CLI command against the URL says.
    if (conn.error().code == core::Errc::unavailable)
      return core::Error::unavailable("the database is unreachable; try again");
    return conn.error();
  }
  return Lease(*this, std::move(*conn));
}

void ConnectionPool::drop_idle() {
  std::vector<std::unique_ptr<Connection>> closing;
  {
    std::lock_guard lock(mutex_);
    closing.swap(idle_);
    open_ -= closing.size();
  }
  available_.notify_all();
}

void ConnectionPool::give_back(std::unique_ptr<Connection> conn) noexcept {
  // A connection left inside a transaction (a failed ROLLBACK) gets one more try, then is closed.
  if (!conn->broken() && conn->in_transaction()) (void)conn->exec("ROLLBACK", "rolling back a returned connection");
  const bool keep = conn->reusable();
  if (!keep) conn.reset();  // closes it outside the lock's critical section below
  {
    std::lock_guard lock(mutex_);
    if (keep) idle_.push_back(std::move(conn));
    else --open_;
  }
  available_.notify_one();
}

}  // namespace keyrelay::store::postgres
