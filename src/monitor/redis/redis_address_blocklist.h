#pragma once
// The auth-failure lockout shared by every node: one key per blocked address group
// ("<prefix>block:<group>") whose TTL is the rest of the block, so a block set on one node refuses
// the address on all of them and Redis forgets it when it ends. Redis unreachable: this node's
// IpBlocklist answers (and counts a fallback). Thread-safe.

#include "monitor/address_blocklist.h"
#include "monitor/ip_blocklist.h"
#include "monitor/redis/redis_client.h"
#include "monitor/redis/redis_script.h"

namespace keyrelay::monitor {

class RedisAddressBlocklist final : public AddressBlocklist {
 public:
  explicit RedisAddressBlocklist(RedisClient& redis);

  bool block(std::string_view ip, TimePoint now, TimePoint until) override;
  std::optional<TimePoint> blocked_until(std::string_view ip, TimePoint now) const override;

 private:
  RedisClient& redis_;
  const RedisScript block_script_;
  IpBlocklist local_;
};

}  // namespace keyrelay::monitor
