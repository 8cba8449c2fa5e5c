#include "gateway/upstream_pool.h"

#include <sys/socket.h>

#include <cerrno>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace keyrelay::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;

UpstreamConnection::UpstreamConnection(net::any_io_executor strand, net::ssl::context* tls)
    : executor_(std::move(strand)) {
  if (tls) tls_.emplace(executor_, *tls);
  else plain_.emplace(executor_);
}

UpstreamConnection::~UpstreamConnection() { close(); }

bool UpstreamConnection::looks_reusable() noexcept {
  auto& socket = tcp().socket();
  if (!connected_ || !socket.is_open() || buffer_.size() != 0) return false;
  char byte = 0;
  const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  // 0: the peer closed; > 0: bytes nobody asked for (a TLS close_notify, a stray response).
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void UpstreamConnection::close() noexcept {
  beast::error_code ec;
  auto& socket = tcp().socket();
  if (socket.is_open()) {
    socket.shutdown(net::ip::tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }
  connected_ = false;
}

UpstreamLease::UpstreamLease(UpstreamLease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      key_(std::move(other.key_)),
      conn_(std::move(other.conn_)),
      reused_(other.reused_) {}

UpstreamLease& UpstreamLease::operator=(UpstreamLease&& other) noexcept {
  if (this != &other) {
    release(false);
    pool_ = std::exchange(other.pool_, nullptr);
    key_ = std::move(other.key_);
    conn_ = std::move(other.conn_);
    reused_ = other.reused_;
  }
  return *this;
}

UpstreamLease::~UpstreamLease() { release(false); }

void UpstreamLease::keep_alive() { release(true); }

void UpstreamLease::release(bool reusable) noexcept {
  if (!pool_) return;
  std::exchange(pool_, nullptr)->give_back(key_, std::move(conn_), reusable);
}

std::optional<UpstreamLease> UpstreamPool::try_acquire(const std::string& key, bool fresh_only,
                                                      const net::any_io_executor* prefer) {
  std::vector<std::unique_ptr<UpstreamConnection>> stale;  // closed outside the lock
  std::optional<UpstreamLease> lease;
  {
    std::lock_guard lock(mutex_);
    Origin& origin = origins_[key];
    const auto now = std::chrono::steady_clock::now();
    if (fresh_only) {
      // A retry wants a new connection; make room by closing the oldest idle one if need be.
      if (origin.open >= max_per_origin_ && !origin.idle.empty()) {
        stale.push_back(std::move(origin.idle.front()));
        origin.idle.erase(origin.idle.begin());
        --origin.open;
      }
    } else {
      // A connection on the caller's own strand saves two thread hops per request.
      if (prefer != nullptr) {
        for (auto it = origin.idle.rbegin(); it != origin.idle.rend(); ++it) {
          if ((*it)->executor() != *prefer) continue;
          if (now - (*it)->idle_since < idle_timeout_ && (*it)->looks_reusable()) {
            lease.emplace(*this, key, std::move(*it));
            origin.idle.erase(std::next(it).base());
          }
          break;
        }
      }
      while (!lease && !origin.idle.empty()) {
        auto conn = std::move(origin.idle.back());
        origin.idle.pop_back();
        if (now - conn->idle_since < idle_timeout_ && conn->looks_reusable()) {
          lease.emplace(*this, key, std::move(conn));
          break;
        }
        --origin.open;
        stale.push_back(std::move(conn));
      }
    }
    if (!lease && origin.open < max_per_origin_) {
      ++origin.open;
      lease.emplace(*this, key, nullptr);
    }
  }
  stale.clear();
  return lease;
}

net::awaitable<std::optional<UpstreamLease>> UpstreamPool::acquire(const std::string& key, bool fresh_only,
                                                                  net::any_io_executor caller,
                                                                  std::chrono::steady_clock::time_point deadline) {
  std::optional<net::steady_timer> pause;
  for (;;) {
    if (auto lease = try_acquire(key, fresh_only, &caller)) co_return std::move(*lease);
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) co_return std::nullopt;
    if (!pause) pause.emplace(caller);
    pause->expires_at(std::min(deadline, now + std::chrono::milliseconds(5)));
    co_await pause->async_wait(net::as_tuple(net::use_awaitable));
  }
}

void UpstreamPool::give_back(const std::string& key, std::unique_ptr<UpstreamConnection> conn,
                             bool reusable) noexcept {
  if (conn && reusable) {
    conn->idle_since = std::chrono::steady_clock::now();
    conn->tcp().expires_never();
  }
  std::unique_ptr<UpstreamConnection> closing;
  {
    std::lock_guard lock(mutex_);
    Origin& origin = origins_[key];
    if (conn && reusable && conn->is_connected()) {
      origin.idle.push_back(std::move(conn));
    } else {
      --origin.open;
      closing = std::move(conn);
    }
  }
}

void UpstreamPool::sweep(std::chrono::steady_clock::time_point now) {
  std::vector<std::unique_ptr<UpstreamConnection>> expired;
  {
    std::lock_guard lock(mutex_);
    for (auto it = origins_.begin(); it != origins_.end();) {
      Origin& origin = it->second;
      std::erase_if(origin.idle, [&](std::unique_ptr<UpstreamConnection>& conn) {
        if (now - conn->idle_since < idle_timeout_) return false;
        expired.push_back(std::move(conn));
        --origin.open;
        return true;
      });
      it = origin.open == 0 ? origins_.erase(it) : std::next(it);
    }
  }
}

void UpstreamPool::close_all() {
  std::vector<std::unique_ptr<UpstreamConnection>> all;
  std::lock_guard lock(mutex_);
  for (auto& [key, origin] : origins_) {
    origin.open -= origin.idle.size();
    for (auto& conn : origin.idle) all.push_back(std::move(conn));
    origin.idle.clear();
  }
}

std::size_t UpstreamPool::open_count(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = origins_.find(key);
  return it == origins_.end() ? 0 : it->second.open;
}

}  // namespace keyrelay::gateway
