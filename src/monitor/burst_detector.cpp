#include "monitor/burst_detector.h"

#include <algorithm>

namespace keyrelay::monitor {

bool BurstDetector::record(std::string_view subject, TimePoint now) {
  if (threshold_ == 0 || window_.count() <= 0) return false;
  const TimePoint cutoff = now - window_;
  std::lock_guard lock(mutex_);
  if (events_.size() >= sweep_at_) {
    std::erase_if(events_, [cutoff](const auto& entry) { return entry.second.empty() || entry.second.back() <= cutoff; });
    sweep_at_ = std::max<std::size_t>(1024, events_.size() * 2);
  }
  auto& times = events_[std::string(subject)];
  while (!times.empty() && times.front() <= cutoff) times.pop_front();
  times.push_back(now);
  if (times.size() < threshold_) return false;
  times.clear();
  return true;
}

}  // namespace keyrelay::monitor
