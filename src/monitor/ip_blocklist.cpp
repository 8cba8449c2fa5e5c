#include "monitor/ip_blocklist.h"

#include "core/address_group.h"

namespace keyrelay::monitor {

bool IpBlocklist::block(std::string_view ip, TimePoint now, TimePoint until) {
  std::lock_guard lock(mutex_);
  std::erase_if(until_, [now](const auto& entry) { return entry.second <= now; });
  auto [it, inserted] = until_.try_emplace(core::address_group(ip), until);
  const bool was_blocked = !inserted && it->second > now;
  if (!inserted && it->second < until) it->second = until;
  size_.store(until_.size(), std::memory_order_release);
  return !was_blocked;
}

std::optional<IpBlocklist::TimePoint> IpBlocklist::blocked_until(std::string_view ip, TimePoint now) const {
  if (size_.load(std::memory_order_acquire) == 0) return std::nullopt;
  const std::string group = core::address_group(ip);
  std::lock_guard lock(mutex_);
  const auto it = until_.find(group);
  if (it == until_.end() || it->second <= now) return std::nullopt;
  return it->second;
}

}  // namespace keyrelay::monitor
