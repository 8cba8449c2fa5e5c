#include "gateway/upstream_pool.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace keyrelay::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;

UpstreamConnection::UpstreamConnection(net::any_io_executor strand, net::ssl::context* tls)
    : executor_(std::move(strand)) {
  if (tls) tls_.emplace(executor_, *tls);
  else plain_.emplace(executor_);
  if (executor_.target<net::io_context::executor_type>() != nullptr)
    deadline_ = std::make_unique<http::Deadline>(executor_, [this] {
      boost::system::error_code ignored;
      tcp().socket().cancel(ignored);
    });
}

void UpstreamConnection::limit_after(std::chrono::steady_clock::duration limit) {
  if (deadline_) deadline_->expires_after(limit);
  else tcp().expires_after(limit);
}

void UpstreamConnection::limit_never() noexcept {
  if (deadline_) deadline_->expires_never();
  else tcp().expires_never();
}

boost::system::error_code UpstreamConnection::timeout_or(const boost::system::error_code& ec) const noexcept {
  if (deadline_ && deadline_->expired() && ec == net::error::operation_aborted) return boost::beast::error::timeout;
  return ec;
}

// The deadline goes first: once it is off the sweeper's list, no sweep can reach this connection.
UpstreamConnection::~UpstreamConnection() {
  deadline_.reset();
  close();
}

bool UpstreamConnection::looks_reusable() noexcept {
  auto& socket = tcp().socket();
  if (!connected_ || !socket.is_open() || buffer_.size() != 0) return false;
  // A connection given back a moment ago is not worth a system call: a server closes an idle
  // keep-alive connection after seconds, and a request that still meets a closed one is retried
  // once on a fresh connection before any byte of it could have been served.
  if (std::chrono::steady_clock::now() - idle_since < kTrustedIdle) return true;
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

std::optional<UpstreamLease> UpstreamPool::take_locked(Origin& origin, const std::string& key, bool fresh_only,
                                                      const net::any_io_executor* prefer, Affinity affinity,
                                                      Stale& stale) {
  std::optional<UpstreamLease> lease;
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
    const bool keep_to_own = prefer != nullptr && affinity == Affinity::own && origin.open < max_per_origin_;
    while (!lease && !keep_to_own && !origin.idle.empty()) {
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
  return lease;
}

std::optional<UpstreamLease> UpstreamPool::try_acquire(const std::string& key, bool fresh_only,
                                                      const net::any_io_executor* prefer, Affinity affinity) {
  Stale stale;  // closed outside the lock
  std::optional<UpstreamLease> lease;
  {
    std::lock_guard lock(mutex_);
    Origin& origin = origins_[key];
    if (origin.waiters.empty()) lease = take_locked(origin, key, fresh_only, prefer, affinity, stale);
  }
  return lease;
}

// One request waiting in line. Its fields are guarded by the pool's mutex.
struct UpstreamPool::Waiter {
  Waiter(bool fresh, net::any_io_executor ex) : fresh_only(fresh), executor(std::move(ex)) {}
  const bool fresh_only;
  const net::any_io_executor executor;              // where its coroutine runs
  bool settled = false;                             // served or given up: out of the line for good
  std::optional<UpstreamLease> grant;               // the slot it was served, if it was
  Resume resume;                                    // its coroutine, once it sleeps

  // Moves the sleeping coroutine (if any) into `wake`, which must be empty.
  void hand_over(Wake& wake) {
    wake.executor = executor;
    if (resume) wake.resume.emplace(std::move(*resume));
    resume.reset();
  }
};

namespace {
// Resumes a coroutine when invoked. Explicitly move-only: any_completion_handler's converting
// constructor makes a lambda holding one look copyable, and a copy would wrap it in itself.
struct Resumer {
  net::any_completion_handler<void()> resume;
  explicit Resumer(net::any_completion_handler<void()>&& r) : resume(std::move(r)) {}
  Resumer(Resumer&&) = default;
  Resumer(const Resumer&) = delete;
  void operator()() { std::move(resume)(); }
};
}  // namespace

void UpstreamPool::Wake::operator()() noexcept {
  if (!resume) return;
  net::post(executor, Resumer(std::move(*resume)));
  resume.reset();
}

net::awaitable<std::optional<UpstreamLease>> UpstreamPool::acquire(const std::string& key, bool fresh_only,
                                                                  const net::any_io_executor& caller,
                                                                  std::chrono::steady_clock::time_point deadline,
                                                                  Affinity affinity) {
  auto waiter = std::make_shared<Waiter>(fresh_only, caller);
  {
    Stale stale;  // closed outside the lock
    std::optional<UpstreamLease> lease;
    {
      std::lock_guard lock(mutex_);
      Origin& origin = origins_[key];
      // Nobody overtakes those already in line.
      if (origin.waiters.empty()) lease = take_locked(origin, key, fresh_only, &caller, affinity, stale);
      if (!lease) origin.waiters.push_back(waiter);
    }
    if (lease) co_return std::move(lease);
  }

  // Sleep until served (give_back wakes us) or the deadline passes (the timer takes us out of line).
  net::steady_timer timer(caller, deadline);
  timer.async_wait([this, key, weak = std::weak_ptr<Waiter>(waiter)](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: served in time (or the wait was torn down)
    if (auto w = weak.lock()) give_up(key, w);
  });
  // Named, not a temporary: GCC 12 destroys a temporary of a co_await expression twice.
  auto sleep = [this, waiter](auto handler) {
    std::unique_lock lock(mutex_);
    if (!waiter->settled) {
      waiter->resume.emplace(std::move(handler));
      return;
    }
    lock.unlock();  // served (or timed out) before it slept: carry on at once
    Wake wake{waiter->executor, std::nullopt};
    wake.resume.emplace(std::move(handler));
    wake();
  };
  co_await net::async_initiate<decltype(net::use_awaitable), void()>(sleep, net::use_awaitable);
  timer.cancel();
  std::lock_guard lock(mutex_);
  co_return std::move(waiter->grant);
}

bool UpstreamPool::serve_next_locked(Origin& origin, const std::string& key, std::unique_ptr<UpstreamConnection>& conn,
                                     Wake& wake) {
  if (origin.waiters.empty()) return false;
  std::shared_ptr<Waiter> next = std::move(origin.waiters.front());
  origin.waiters.pop_front();
  // The slot stays taken: it changes hands. A pooled connection goes with it when the waiter may
  // reuse one; otherwise the waiter gets a fresh slot and the connection closes.
  if (conn && conn->is_connected() && !next->fresh_only) next->grant.emplace(*this, key, std::move(conn));
  else next->grant.emplace(*this, key, nullptr);
  next->settled = true;
  next->hand_over(wake);
  return true;
}

void UpstreamPool::give_up(const std::string& key, const std::shared_ptr<Waiter>& waiter) noexcept {
  Wake wake;
  {
    std::lock_guard lock(mutex_);
    if (waiter->settled) return;  // served just before its deadline: it keeps the slot
    waiter->settled = true;
    if (auto it = origins_.find(key); it != origins_.end()) std::erase(it->second.waiters, waiter);
    waiter->hand_over(wake);
  }
  wake();
}

UpstreamPool::~UpstreamPool() {
  close_all();
  // Coroutines still in line are destroyed with their frames (they can no longer be served).
  std::vector<net::any_completion_handler<void()>> orphans;
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, origin] : origins_) {
      for (auto& waiter : origin.waiters) {
        waiter->settled = true;
        if (waiter->resume) orphans.emplace_back(std::move(*waiter->resume));
        waiter->resume.reset();
      }
      origin.waiters.clear();
    }
  }
  orphans.clear();
}


void UpstreamPool::give_back(const std::string& key, std::unique_ptr<UpstreamConnection> conn,
                             bool reusable) noexcept {
  if (conn && reusable) {
    conn->idle_since = std::chrono::steady_clock::now();
    conn->tcp().expires_never();
  }
  if (conn && !reusable) conn->close();
  std::unique_ptr<UpstreamConnection> closing;
  Wake wake;
  {
    std::lock_guard lock(mutex_);
    Origin& origin = origins_[key];
    if (serve_next_locked(origin, key, conn, wake)) {
      closing = std::move(conn);  // what the waiter did not take
    } else if (conn && conn->is_connected()) {
      origin.idle.push_back(std::move(conn));
    } else {
      --origin.open;
      closing = std::move(conn);
    }
  }
  wake();
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
      it = origin.open == 0 && origin.waiters.empty() ? origins_.erase(it) : std::next(it);
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

std::size_t UpstreamPool::waiting_count(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = origins_.find(key);
  return it == origins_.end() ? 0 : it->second.waiters.size();
}

std::size_t UpstreamPool::open_count(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = origins_.find(key);
  return it == origins_.end() ? 0 : it->second.open;
}

}  // namespace keyrelay::gateway
