#include "core/work_pool.h"

#include <algorithm>

namespace keyrelay::core {
namespace {

// Iterations claimed at once: small enough to balance, large enough to keep the lock cold.
constexpr std::size_t kChunk = 16;

}  // namespace

WorkPool::WorkPool(std::size_t threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (std::size_t i = 1; i < threads; ++i) workers_.emplace_back([this] { work(); });
}

WorkPool::~WorkPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void WorkPool::drain(const std::function<void(std::size_t)>& body, std::size_t n) {
  for (;;) {
    std::size_t first = 0;
    {
      std::lock_guard lock(mutex_);
      if (next_ >= n) return;
      first = next_;
      next_ = std::min(n, next_ + kChunk);
    }
    const std::size_t last = std::min(n, first + kChunk);
    for (std::size_t i = first; i < last; ++i) body(i);
  }
}

void WorkPool::work() {
  std::size_t seen = 0;
  for (;;) {
    const std::function<void(std::size_t)>* body = nullptr;
    std::size_t n = 0;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || loop_ != seen; });
      if (stopping_) return;
      seen = loop_;
      // Woken after that loop ended (the caller took every index): nothing to do.
      if (body_ == nullptr || next_ >= n_) continue;
      body = body_;
      n = n_;
      ++busy_;
    }
    drain(*body, n);
    {
      std::lock_guard lock(mutex_);
      --busy_;
    }
    done_.notify_one();
  }
}

void WorkPool::for_each_index(std::size_t n, const std::function<void(std::size_t)>& body) {
  if (n == 0) return;
  {
    std::lock_guard lock(mutex_);
    body_ = &body;
    n_ = n;
    next_ = 0;
    ++loop_;
  }
  wake_.notify_all();
  drain(body, n);
  // Every index is claimed; wait for the workers still running theirs. A worker that wakes up
  // only now finds nothing left and never touches `body`.
  std::unique_lock lock(mutex_);
  done_.wait(lock, [&] { return busy_ == 0; });
  body_ = nullptr;
}

}  // namespace keyrelay::core
