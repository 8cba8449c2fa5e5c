#include "monitor/redis/redis_burst_detector.h"

namespace keyrelay::monitor {
namespace {

// KEYS[1] the subject's events; ARGV[1] threshold; ARGV[2] window in ms. As BurstDetector: drops
// events older than the window, adds this one, and on the threshold-th fires and starts afresh.
// A member is "<µs>-<count>", unique even for two events in the same microsecond.
constexpr const char* kBurstScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window * 1000)
local n = redis.call('ZCARD', KEYS[1])
redis.call('ZADD', KEYS[1], now, string.format('%d-%d', now, n))
if n + 1 >= tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return 1
end
redis.call('PEXPIRE', KEYS[1], window)
return 0
)lua";

}  // namespace

RedisBurstDetector::RedisBurstDetector(RedisClient& redis, std::string name, std::uint32_t threshold,
                                       std::chrono::milliseconds window)
    : redis_(redis),
      name_(std::move(name)),
      threshold_(threshold),
      window_(window),
      script_(kBurstScript),
      local_(threshold, window) {}

bool RedisBurstDetector::record(std::string_view subject, TimePoint now) {
  if (threshold_ == 0 || window_.count() <= 0) return false;
  const std::string key = redis_.key("burst:" + name_ + ":" + std::string(subject));
  auto reply = redis_.eval(script_, {key}, {std::to_string(threshold_), std::to_string(window_.count())});
  if (!reply) {
    redis_.note_fallback();
    return local_.record(subject, now);
  }
  return reply->as_int() == 1;
}

}  // namespace keyrelay::monitor
