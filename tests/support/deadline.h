#pragma once
// Deadlines for tests that wait on another process. Tests never sleep for a fixed time to "let the
// server get ready": they poll a condition until a generous deadline, so a slow machine only makes
// them slower, never red.

#include <chrono>
#include <thread>

namespace keyrelay::test {

using SteadyClock = std::chrono::steady_clock;
using Deadline = SteadyClock::time_point;

inline Deadline deadline_in(std::chrono::milliseconds from_now) {
  return SteadyClock::now() + from_now;
}

// Time left until `deadline`, never negative.
inline std::chrono::milliseconds time_left(Deadline deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  return left.count() > 0 ? left : std::chrono::milliseconds{0};
}

inline bool has_passed(Deadline deadline) { return SteadyClock::now() >= deadline; }

// Calls `done()` every `interval` until it returns true (→ true) or `deadline` passes (→ false).
// `done` is always called at least once, and once more after the deadline, so a condition that
// became true during the last pause is not reported as a timeout.
template <class Predicate>
bool poll_until(Deadline deadline, Predicate&& done,
                std::chrono::milliseconds interval = std::chrono::milliseconds{20}) {
  for (;;) {
    if (done()) return true;
    if (has_passed(deadline)) return false;
    std::this_thread::sleep_for(std::min(interval, time_left(deadline)));
  }
}

}  // namespace keyrelay::test
