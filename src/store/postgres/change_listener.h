#pragma once
// ChangeListener: the PostgreSQL ChangeFeed. One dedicated connection (not from the pool) runs
// LISTEN keyrelay_changes on its own thread; every mutating transaction of every node notifies that
// channel at commit (transaction.h: bump_generation), so each node learns of a change within
// milliseconds instead of at the next generation poll.
//
// The thread waits in poll() on the connection's socket and on an eventfd that stop() signals.
// Notifications that arrive together are one callback. When the connection drops (server restart,
// pg_terminate_backend, network) the subscribers are called at once (a change may be missed while
// down), and the listener reconnects with backoff (100 ms doubling to 5 s) and calls them again
// once it listens anew. Thread-safe: subscribe() before start(); start()/stop() from one thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/change_feed.h"
#include "store/postgres/connection.h"

namespace keyrelay::store::postgres {

class ChangeListener final : public ChangeFeed {
 public:
  explicit ChangeListener(ConnectionSettings settings);
  ~ChangeListener() override;
  ChangeListener(const ChangeListener&) = delete;
  ChangeListener& operator=(const ChangeListener&) = delete;

  void subscribe(Callback callback) override;
  void start() override;
  void stop() override;

  // For tests and metrics: connections made so far (1 after the first LISTEN), and the backend pid
  // of the current one (0 while disconnected).
  std::uint64_t connections() const noexcept { return connections_.load(); }
  int backend_pid() const noexcept { return backend_pid_.load(); }

 private:
  void run();
  // Connects and LISTENs; null (after logging nothing secret) when it cannot.
  std::unique_ptr<Connection> listen();
  // Waits for notifications until the connection breaks or stop() is called.
  void receive(Connection& conn);
  void notify_subscribers();
  // Sleeps up to `delay` unless stop() is called first; false when stopping.
  bool pause(std::chrono::milliseconds delay);

  const ConnectionSettings settings_;
  std::vector<Callback> callbacks_;  // fixed once started
  int wake_fd_ = -1;                 // eventfd: stop() writes, the thread polls it
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> connections_{0};
  std::atomic<int> backend_pid_{0};
  std::thread thread_;
};

}  // namespace keyrelay::store::postgres
