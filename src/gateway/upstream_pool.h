#pragma once
// Keep-alive connections of the upstream client, pooled per origin. Internal to gateway/.
//
// UpstreamPool counts the open connections of each origin (in use + idle) against a cap and keeps
// the idle ones. A request takes a Lease: either an idle connection that still looks open, or a
// reserved slot for a new one. The Lease gives the slot back when destroyed (closing the connection)
// unless keep_alive() returned it to the idle list. When the origin is at its cap, requests wait in
// line: a slot given back goes straight to the oldest waiter (with its connection when that may be
// reused), whose coroutine is woken on its own executor — no polling, no overtaking.
// Thread-safe; one mutex, never held across I/O or while a waiter is woken.

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "http/deadline.h"

namespace keyrelay::gateway {

// One TCP (or TLS over TCP) connection to an origin. Its executor is a strand of its own: every
// operation on it runs there. Used by one request at a time.
class UpstreamConnection {
 public:
  // `tls`: the client context for https, or null for plain http. It must outlive the connection.
  UpstreamConnection(boost::asio::any_io_executor strand, boost::asio::ssl::context* tls);
  ~UpstreamConnection();

  const boost::asio::any_io_executor& executor() const noexcept { return executor_; }
  boost::beast::tcp_stream& tcp() noexcept { return tls_ ? tls_->next_layer() : *plain_; }
  boost::beast::ssl_stream<boost::beast::tcp_stream>* tls() noexcept { return tls_ ? &*tls_ : nullptr; }
  boost::beast::tcp_stream* plain() noexcept { return plain_ ? &*plain_ : nullptr; }
  boost::beast::flat_buffer& buffer() noexcept { return buffer_; }

  // The time limit of the exchange's current read or write. On an I/O thread's own context it is a
  // Deadline (http/deadline.h: one timer per thread, nothing armed and cancelled per operation —
  // a cancelled stream timer posted a handler, one more turn of the event loop per call); on a
  // strand, the stream's own timer. (The connect keeps the stream's timer: it is rare.)
  void limit_after(std::chrono::steady_clock::duration limit);
  void limit_never() noexcept;
  // `ec` of an operation on the connection, with a limit that ran out reported as beast's timeout.
  boost::system::error_code timeout_or(const boost::system::error_code& ec) const noexcept;

  bool is_connected() const noexcept { return connected_; }
  void mark_connected() noexcept { connected_ = true; }
  // False when the peer closed (or sent something unasked) while the connection sat idle. Cheap:
  // one non-blocking peek at the socket.
  // A connection idle for less than kTrustedIdle is taken as open without looking.
  bool looks_reusable() noexcept;
  static constexpr std::chrono::milliseconds kTrustedIdle{1000};
  void close() noexcept;

  std::chrono::steady_clock::time_point idle_since{};

 private:
  boost::asio::any_io_executor executor_;
  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
  boost::beast::flat_buffer buffer_;
  std::unique_ptr<http::Deadline> deadline_;  // on an I/O thread's own context only
  bool connected_ = false;
};

class UpstreamPool;

// A claim on one connection slot of an origin. Move-only.
class UpstreamLease {
 public:
  UpstreamLease() = default;
  UpstreamLease(UpstreamPool& pool, std::string key, std::unique_ptr<UpstreamConnection> conn)
      : pool_(&pool), key_(std::move(key)), conn_(std::move(conn)), reused_(conn_ != nullptr) {}
  UpstreamLease(UpstreamLease&& other) noexcept;
  UpstreamLease& operator=(UpstreamLease&& other) noexcept;
  ~UpstreamLease();

  // True for a pooled connection, false for a fresh slot (whose connection the caller attaches).
  bool is_reused() const noexcept { return reused_; }
  UpstreamConnection* connection() const noexcept { return conn_.get(); }
  void attach(std::unique_ptr<UpstreamConnection> conn) { conn_ = std::move(conn); }
  // Returns the connection to the idle list of its origin; the lease is empty afterwards.
  void keep_alive();

 private:
  void release(bool reusable) noexcept;

  UpstreamPool* pool_ = nullptr;
  std::string key_;
  std::unique_ptr<UpstreamConnection> conn_;
  bool reused_ = false;
};

class UpstreamPool {
 public:
  UpstreamPool(std::size_t max_per_origin, std::chrono::milliseconds idle_timeout)
      : max_per_origin_(max_per_origin), idle_timeout_(idle_timeout) {}
  // Closes the idle connections; coroutines still waiting in line are destroyed, not resumed.
  ~UpstreamPool();
  UpstreamPool(const UpstreamPool&) = delete;
  UpstreamPool& operator=(const UpstreamPool&) = delete;

  // How a request chooses among the idle connections when `prefer` names its executor:
  //  - prefer: one on that executor first, else any other;
  //  - own: one on that executor, else a new slot while the origin is below its cap, and another
  //    executor's idle connection only at the cap. For a caller that runs on its I/O thread: a
  //    connection of another thread costs two thread hops on every request it serves, a new one
  //    a single connect.
  enum class Affinity { prefer, own };

  // An idle connection of `key` that still looks open (unless `fresh_only`), else a free slot;
  // nullopt when the origin is at its cap. Stale idle connections met on the way are closed.
  std::optional<UpstreamLease> try_acquire(const std::string& key, bool fresh_only,
                                           const boost::asio::any_io_executor* prefer = nullptr,
                                           Affinity affinity = Affinity::prefer);
  // Like try_acquire, but while the origin is at its cap (or others already wait), waits in line
  // until a slot is given back, then gets it; nullopt once `deadline` passed first. A waiter that
  // gives up holds no slot, and one served just as its deadline passed still gets its slot.
  // `caller` is the waiting coroutine's executor (wake-ups are posted to it; an idle connection on
  // it is chosen as `affinity` says). The pool must outlive the wait; `key` and `caller` are used
  // before it sleeps.
  boost::asio::awaitable<std::optional<UpstreamLease>> acquire(const std::string& key, bool fresh_only,
                                                               const boost::asio::any_io_executor& caller,
                                                               std::chrono::steady_clock::time_point deadline,
                                                               Affinity affinity = Affinity::prefer);
  // Closes idle connections unused for longer than the idle timeout.
  void sweep(std::chrono::steady_clock::time_point now);
  void close_all();

  // Open connections (in use + idle) of `key`, for tests and metrics.
  std::size_t open_count(const std::string& key) const;
  // Requests waiting in line for a slot of `key`, for tests and metrics.
  std::size_t waiting_count(const std::string& key) const;

 private:
  friend class UpstreamLease;
  struct Waiter;
  using Stale = std::vector<std::unique_ptr<UpstreamConnection>>;
  // A sleeping waiter's coroutine and the executor it is resumed on; posts it when invoked. (An
  // optional, filled with emplace: Boost 1.81's any_completion_handler move assignment recurses.)
  using Resume = std::optional<boost::asio::any_completion_handler<void()>>;
  struct Wake {
    boost::asio::any_io_executor executor;
    Resume resume;
    void operator()() noexcept;
  };

  struct Origin {
    std::size_t open = 0;                                     // slots taken, idle included
    std::vector<std::unique_ptr<UpstreamConnection>> idle;    // most recently used last
    std::deque<std::shared_ptr<Waiter>> waiters;              // oldest first
  };

  void give_back(const std::string& key, std::unique_ptr<UpstreamConnection> conn, bool reusable) noexcept;
  // try_acquire's work, under the lock; stale idle connections it meets go to `stale`.
  std::optional<UpstreamLease> take_locked(Origin& origin, const std::string& key, bool fresh_only,
                                           const boost::asio::any_io_executor* prefer, Affinity affinity,
                                           Stale& stale);
  // Hands a slot of `origin` that just freed to its oldest waiter — with `conn` when that may serve
  // the waiter (else `conn` is left to be closed). False when nobody waits. Under the lock; the
  // coroutine to wake, if it already sleeps, goes to `wake` (invoked after the lock is released).
  bool serve_next_locked(Origin& origin, const std::string& key, std::unique_ptr<UpstreamConnection>& conn,
                         Wake& wake);
  // The waiter's deadline passed: it leaves the line unless it was served first.
  void give_up(const std::string& key, const std::shared_ptr<Waiter>& waiter) noexcept;

  const std::size_t max_per_origin_;
  const std::chrono::milliseconds idle_timeout_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Origin> origins_;  // guarded by mutex_
};

}  // namespace keyrelay::gateway
