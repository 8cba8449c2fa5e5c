#pragma once
// Client addresses refused for a while (after a burst of failed authentications). Checked on
// every authenticated request, so the common case — nobody blocked — is one atomic load.

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace keyrelay::monitor {

class IpBlocklist {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // Refuses `ip` until `until` (a later block extends an earlier one). Returns true when the
  // address was not blocked before (a new block, worth an alert).
  bool block(std::string_view ip, TimePoint now, TimePoint until);
  // When `ip` is blocked at `now`: until when.
  std::optional<TimePoint> blocked_until(std::string_view ip, TimePoint now) const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, TimePoint> until_;
  std::atomic<std::size_t> size_{0};  // entries in until_, read without the lock
};

}  // namespace keyrelay::monitor
