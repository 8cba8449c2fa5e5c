#pragma once
// WorkPool: a few threads that share the iterations of one loop at a time, the calling thread
// working along — for CPU-bound batches (the master-key re-wrap's per-key crypto) on every core.
//
// for_each_index() may be called from one thread at a time (it is not reentrant); the pool is
// otherwise thread-safe. The destructor stops and joins the threads.

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace keyrelay::core {

class WorkPool {
 public:
  // `threads` counts the caller: 1 runs everything on the caller; 0 means one per core.
  explicit WorkPool(std::size_t threads);
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Runs body(i) for every i in [0, n) on the pool's threads and the caller; returns when every
  // call returned. `body` must not throw.
  void for_each_index(std::size_t n, const std::function<void(std::size_t)>& body);
  std::size_t size() const noexcept { return workers_.size() + 1; }

 private:
  void work();
  // Claims and runs iterations of the current loop until none is left.
  void drain(const std::function<void(std::size_t)>& body, std::size_t n);

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  // Guarded by mutex_: the current loop, its next unclaimed index, how many threads still work on
  // it, and a counter that tells the workers a new loop started.
  const std::function<void(std::size_t)>* body_ = nullptr;
  std::size_t n_ = 0;
  std::size_t next_ = 0;
  std::size_t busy_ = 0;
  std::size_t loop_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace keyrelay::core
