#pragma once
// "N events for one subject within a window" (the burst alert rules): in this process's memory
// (BurstDetector) or shared by every node (RedisBurstDetector).

#include <chrono>
#include <string_view>

namespace keyrelay::monitor {

class BurstCounter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~BurstCounter() = default;
  // Records one event of `subject` at `now`; true when it completes a burst.
  virtual bool record(std::string_view subject, TimePoint now) = 0;
};

}  // namespace keyrelay::monitor
