#pragma once
// Keep-alive connections of the upstream client, pooled per origin. Internal to gateway/.
//
// UpstreamPool counts the open connections of each origin (in use + idle) against a cap and keeps
// the idle ones. A request takes a Lease: either an idle connection that still looks open, or a
// reserved slot for a new one. The Lease gives the slot back when destroyed (closing the connection)
// unless keep_alive() returned it to the idle list. Thread-safe; one mutex, never held across I/O.

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

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

  bool is_connected() const noexcept { return connected_; }
  void mark_connected() noexcept { connected_ = true; }
  // False when the peer closed (or sent something unasked) while the connection sat idle. Cheap:
  // one non-blocking peek at the socket.
  bool looks_reusable() noexcept;
  void close() noexcept;

  std::chrono::steady_clock::time_point idle_since{};

 private:
  boost::asio::any_io_executor executor_;
  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
  boost::beast::flat_buffer buffer_;
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
  ~UpstreamPool() { close_all(); }

  // An idle connection of `key` that still looks open (unless `fresh_only`), else a free slot;
  // nullopt when the origin is at its cap. Stale idle connections met on the way are closed.
  // `prefer`: an idle connection on this executor is taken first.
  std::optional<UpstreamLease> try_acquire(const std::string& key, bool fresh_only,
                                           const boost::asio::any_io_executor* prefer = nullptr);
  // Like try_acquire, but waits while the origin is at its cap, until `deadline` (nullopt then).
  boost::asio::awaitable<std::optional<UpstreamLease>> acquire(const std::string& key, bool fresh_only,
                                                               boost::asio::any_io_executor caller,
                                                               std::chrono::steady_clock::time_point deadline);
  // Closes idle connections unused for longer than the idle timeout.
  void sweep(std::chrono::steady_clock::time_point now);
  void close_all();

  // Open connections (in use + idle) of `key`, for tests and metrics.
  std::size_t open_count(const std::string& key) const;

 private:
  friend class UpstreamLease;
  void give_back(const std::string& key, std::unique_ptr<UpstreamConnection> conn, bool reusable) noexcept;

  struct Origin {
    std::size_t open = 0;                                     // slots taken, idle included
    std::vector<std::unique_ptr<UpstreamConnection>> idle;    // most recently used last
  };

  const std::size_t max_per_origin_;
  const std::chrono::milliseconds idle_timeout_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Origin> origins_;  // guarded by mutex_
};

}  // namespace keyrelay::gateway
