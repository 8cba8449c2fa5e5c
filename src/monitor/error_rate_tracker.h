#pragma once
// The share of failed requests per provider over a window (provider.error_rate): in this process's
// memory (ErrorRateWindow) or shared by every node (RedisErrorRateWindow).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace keyrelay::monitor {

struct ErrorRate {
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  unsigned percent() const noexcept { return requests == 0 ? 0 : static_cast<unsigned>(errors * 100 / requests); }
};

class ErrorRateTracker {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~ErrorRateTracker() = default;
  // Counts one request of `subject`; the window's rate when this request makes it cross the
  // threshold (at most once per window and subject).
  virtual std::optional<ErrorRate> record(std::string_view subject, bool error, TimePoint now) = 0;
};

}  // namespace keyrelay::monitor
