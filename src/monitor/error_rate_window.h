#pragma once
// The share of failed requests per subject (a provider) over a sliding window, kept in one-tenth-
// of-the-window slots so memory stays fixed. Reports when the share crosses the threshold with
// enough requests to mean something — at most once per window per subject, so a provider that
// stays down alerts once per window, not on every request.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "monitor/error_rate_tracker.h"

namespace keyrelay::monitor {

class ErrorRateWindow final : public ErrorRateTracker {
 public:
  ErrorRateWindow(unsigned threshold_percent, std::uint64_t min_requests, std::chrono::milliseconds window);

  // Counts one request of `subject`; the window's rate when this request makes it cross the threshold.
  std::optional<ErrorRate> record(std::string_view subject, bool error, TimePoint now) override;

 private:
  static constexpr int kSlots = 10;
  struct Slot {
    std::int64_t index = -1;  // which slot-length interval since the epoch this slot holds
    ErrorRate counts;
  };
  struct Subject {
    std::vector<Slot> slots = std::vector<Slot>(kSlots);
    std::optional<TimePoint> reported_at;
  };

  const unsigned threshold_percent_;
  const std::uint64_t min_requests_;
  const std::chrono::milliseconds window_;
  const std::chrono::milliseconds slot_;
  std::mutex mutex_;
  std::map<std::string, Subject, std::less<>> subjects_;
};

}  // namespace keyrelay::monitor
