#include "core/periodic_task.h"

namespace keyrelay::core {

void PeriodicTask::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    auto wait = first_delay_;
    while (!wake_.wait_for(lock, wait, [this] { return stopping_; })) {
      lock.unlock();
      work_();
      lock.lock();
      wait = interval_;
    }
  });
}

void PeriodicTask::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace keyrelay::core
