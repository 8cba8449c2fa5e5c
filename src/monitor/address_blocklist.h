#pragma once
// Client address groups refused for a while after a burst of failed authentications: in this
// process's memory (IpBlocklist) or shared by every node (RedisAddressBlocklist).

#include <chrono>
#include <optional>
#include <string_view>

namespace keyrelay::monitor {

class AddressBlocklist {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~AddressBlocklist() = default;

  // Refuses `ip`'s group until `until` (a later block extends an earlier one). Returns true when
  // the group was not blocked before (a new block, worth an alert).
  virtual bool block(std::string_view ip, TimePoint now, TimePoint until) = 0;
  // When `ip`'s group is blocked at `now`: until when.
  virtual std::optional<TimePoint> blocked_until(std::string_view ip, TimePoint now) const = 0;
};

}  // namespace keyrelay::monitor
