#include "monitor/error_rate_window.h"

#include <algorithm>

namespace keyrelay::monitor {

ErrorRateWindow::ErrorRateWindow(unsigned threshold_percent, std::uint64_t min_requests,
                                 std::chrono::milliseconds window)
    : threshold_percent_(threshold_percent),
      min_requests_(min_requests),
      window_(window),
      slot_(std::max<std::chrono::milliseconds>(std::chrono::milliseconds(1), window / kSlots)) {}

std::optional<ErrorRate> ErrorRateWindow::record(std::string_view subject, bool error, TimePoint now) {
  const std::int64_t index = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) / slot_;
  std::lock_guard lock(mutex_);
  auto it = subjects_.find(subject);
  if (it == subjects_.end()) it = subjects_.emplace(std::string(subject), Subject{}).first;
  Subject& s = it->second;
  Slot& slot = s.slots[static_cast<std::size_t>(index % kSlots)];
  if (slot.index != index) slot = Slot{index, {}};
  ++slot.counts.requests;
  if (error) ++slot.counts.errors;

  ErrorRate total;
  for (const Slot& each : s.slots) {
    if (each.index > index - kSlots && each.index <= index) {
      total.requests += each.counts.requests;
      total.errors += each.counts.errors;
    }
  }
  if (!error || total.requests < min_requests_ || total.percent() < threshold_percent_) return std::nullopt;
  if (s.reported_at && now - *s.reported_at < window_) return std::nullopt;
  s.reported_at = now;
  return total;
}

}  // namespace keyrelay::monitor
