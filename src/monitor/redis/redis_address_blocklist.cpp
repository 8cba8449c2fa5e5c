#include "monitor/redis/redis_address_blocklist.h"

#include "core/address_group.h"

namespace keyrelay::monitor {
namespace {

// KEYS[1] the group's block; ARGV[1] the block in ms. Extends, never shortens; 1 when it is new.
constexpr const char* kBlockScript = R"lua(
local left = redis.call('PTTL', KEYS[1])
if left < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
if left > 0 then return 0 end
return 1
)lua";

}  // namespace

RedisAddressBlocklist::RedisAddressBlocklist(RedisClient& redis) : redis_(redis), block_script_(kBlockScript) {}

bool RedisAddressBlocklist::block(std::string_view ip, TimePoint now, TimePoint until) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count();
  if (ms <= 0) return false;
  const std::string key = redis_.key("block:" + core::address_group(ip));
  auto reply = redis_.eval(block_script_, {key}, {std::to_string(ms)});
  if (!reply) {
    redis_.note_fallback();
    return local_.block(ip, now, until);
  }
  return reply->as_int() == 1;
}

std::optional<AddressBlocklist::TimePoint> RedisAddressBlocklist::blocked_until(std::string_view ip, TimePoint now) const {
  auto reply = redis_.command({"PTTL", redis_.key("block:" + core::address_group(ip))});
  if (!reply || reply->is_error()) {
    redis_.note_fallback();
    return local_.blocked_until(ip, now);
  }
  const auto left = reply->as_int(-2);
  if (left <= 0) return std::nullopt;
  return now + std::chrono::milliseconds(left);
}

}  // namespace keyrelay::monitor
