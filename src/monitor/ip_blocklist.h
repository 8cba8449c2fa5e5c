#pragma once
// Client addresses refused for a while (after a burst of failed authentications), by address group
// (core::address_group): an IPv4 address, an IPv6 /64, an IPv4-mapped address as its IPv4 address.
// Checked on every request that is not served from the token cache, so the common case — nobody
// blocked — is one atomic load.

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "monitor/address_blocklist.h"

namespace keyrelay::monitor {

class IpBlocklist final : public AddressBlocklist {
 public:
  bool block(std::string_view ip, TimePoint now, TimePoint until) override;
  std::optional<TimePoint> blocked_until(std::string_view ip, TimePoint now) const override;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, TimePoint> until_;  // by address group
  std::atomic<std::size_t> size_{0};  // entries in until_, read without the lock
};

}  // namespace keyrelay::monitor
