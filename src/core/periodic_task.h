#pragma once
// A background thread that runs `work` after `first_delay`, then every `interval`, until stop().
// For the maintenance jobs that touch the store (expiry sweep, audit pruning): never on an I/O thread.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace keyrelay::core {

class PeriodicTask {
 public:
  PeriodicTask(std::function<void()> work, std::chrono::milliseconds interval,
               std::chrono::milliseconds first_delay = std::chrono::milliseconds(0))
      : work_(std::move(work)), interval_(interval), first_delay_(first_delay) {}
  ~PeriodicTask() { stop(); }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void start();
  // Waits for a run in progress to finish; idempotent.
  void stop();

 private:
  std::function<void()> work_;
  const std::chrono::milliseconds interval_;
  const std::chrono::milliseconds first_delay_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace keyrelay::core
