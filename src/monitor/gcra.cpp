#include "monitor/gcra.h"

#include <algorithm>

namespace keyrelay::monitor {

RateDecision gcra_acquire(GcraState& state, const RateLimit& limit, std::int64_t now_ns) {
  RateDecision d;
  d.limit = limit.count;
  if (!limit.enabled()) {
    d.remaining = limit.count;
    return d;
  }
  const std::int64_t period = std::chrono::duration_cast<std::chrono::nanoseconds>(limit.period).count();
  const std::int64_t interval = std::max<std::int64_t>(1, period / limit.count);  // one unit's worth of time
  const std::int64_t tat = std::max(state.tat_ns, now_ns);
  const std::int64_t new_tat = tat + interval;
  // The bucket holds `period` of credit; a request fits while the debt stays within it.
  const std::int64_t allow_at = new_tat - period;
  const auto ms_ceil = [](std::int64_t ns) {
    return std::chrono::milliseconds((std::max<std::int64_t>(0, ns) + 999'999) / 1'000'000);
  };
  if (now_ns < allow_at) {
    d.allowed = false;
    d.remaining = 0;
    d.retry_after = ms_ceil(allow_at - now_ns);
    d.reset = ms_ceil(tat - now_ns);
    return d;
  }
  state.tat_ns = new_tat;
  d.allowed = true;
  d.remaining = static_cast<std::uint32_t>(std::clamp<std::int64_t>((now_ns - allow_at) / interval, 0, limit.count));
  d.reset = ms_ceil(new_tat - now_ns);
  return d;
}

}  // namespace keyrelay::monitor
