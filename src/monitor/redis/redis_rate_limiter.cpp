#include "monitor/redis/redis_rate_limiter.h"

#include <algorithm>

namespace keyrelay::monitor {
namespace {

// GCRA in microseconds of Redis's clock (a double holds them exactly until the year 2255).
// KEYS[1] bucket; ARGV[1] count; ARGV[2] period in µs.
// Returns {allowed 0/1, remaining, reset µs, retry-after µs}, as gcra_acquire decides.
constexpr const char* kGcraScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local count = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local interval = math.max(1, math.floor(period / count))
local tat = tonumber(redis.call('GET', KEYS[1]) or 0) or 0
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - period
if now < allow_at then
  return {0, 0, tat - now, allow_at - now}
end
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
local remaining = math.floor((now - allow_at) / interval)
if remaining > count then remaining = count end
if remaining < 0 then remaining = 0 end
return {1, remaining, new_tat - now, 0}
)lua";

std::chrono::milliseconds ms_ceil(std::int64_t us) {
  return std::chrono::milliseconds((std::max<std::int64_t>(0, us) + 999) / 1000);
}

}  // namespace

RedisRateLimiter::RedisRateLimiter(RedisClient& redis) : redis_(redis), script_(kGcraScript) {}

RateDecision RedisRateLimiter::acquire(std::string_view key, const RateLimit& limit,
                                       std::chrono::steady_clock::time_point now) {
  if (!limit.enabled()) return local_.acquire(key, limit, now);
  const std::string bucket = redis_.key("rl:" + std::string(key));
  const std::string count = std::to_string(limit.count);
  const std::string period = std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(limit.period).count());
  auto reply = redis_.eval(script_, {bucket}, {count, period});
  if (!reply || reply->type != RedisReply::Type::array || reply->elements.size() != 4) {
    redis_.note_fallback();
    return local_.acquire(key, limit, now);
  }
  const auto& e = reply->elements;
  RateDecision d;
  d.limit = limit.count;
  d.allowed = e[0].as_int() == 1;
  d.remaining = static_cast<std::uint32_t>(std::clamp<std::int64_t>(e[1].as_int(), 0, limit.count));
  d.reset = ms_ceil(e[2].as_int());
  d.retry_after = ms_ceil(e[3].as_int());
  return d;
}

}  // namespace keyrelay::monitor
