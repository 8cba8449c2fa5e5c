#pragma once
// "N events for one subject within a window" — the trigger of the burst rules (failed validations
// per user, management changes per user). Fires once when the N-th event lands within the window,
// then starts counting afresh, so a sustained burst fires once per N events, not on every event.

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "monitor/burst_counter.h"

namespace keyrelay::monitor {

class BurstDetector final : public BurstCounter {
 public:
  // `threshold` 0 turns the detector off.
  BurstDetector(std::uint32_t threshold, std::chrono::milliseconds window)
      : threshold_(threshold), window_(window) {}

  // Records one event of `subject` at `now`; true when it completes a burst.
  bool record(std::string_view subject, TimePoint now) override;

 private:
  const std::uint32_t threshold_;
  const std::chrono::milliseconds window_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<TimePoint>> events_;
  std::size_t sweep_at_ = 1024;
};

}  // namespace keyrelay::monitor
