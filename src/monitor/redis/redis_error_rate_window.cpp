#include "monitor/redis/redis_error_rate_window.h"

#include <algorithm>

namespace keyrelay::monitor {
namespace {

// KEYS[1] the slots; KEYS[2] "reported"; ARGV: error (0/1), threshold %, minimum requests, window
// ms, slot ms, slots. Returns {report 0/1, requests, errors} over the last `slots` slots.
constexpr const char* kErrorRateScript = R"lua(
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local slot_ms = tonumber(ARGV[5])
local slots = tonumber(ARGV[6])
local index = math.floor(now_ms / slot_ms)
local error = ARGV[1] == '1'
redis.call('HINCRBY', KEYS[1], 'r' .. index, 1)
if error then redis.call('HINCRBY', KEYS[1], 'e' .. index, 1) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]) + slot_ms)
local all = redis.call('HGETALL', KEYS[1])
local requests, errors = 0, 0
for i = 1, #all, 2 do
  local field = all[i]
  local at = tonumber(string.sub(field, 2))
  if at <= index - slots then
    redis.call('HDEL', KEYS[1], field)
  elseif string.sub(field, 1, 1) == 'r' then
    requests = requests + tonumber(all[i + 1])
  else
    errors = errors + tonumber(all[i + 1])
  end
end
if not error or requests < tonumber(ARGV[3]) or errors * 100 < tonumber(ARGV[2]) * requests then
  return {0, requests, errors}
end
if redis.call('SET', KEYS[2], '1', 'PX', ARGV[4], 'NX') then return {1, requests, errors} end
return {0, requests, errors}
)lua";

constexpr int kSlots = 10;  // as ErrorRateWindow

}  // namespace

RedisErrorRateWindow::RedisErrorRateWindow(RedisClient& redis, unsigned threshold_percent, std::uint64_t min_requests,
                                           std::chrono::milliseconds window)
    : redis_(redis),
      threshold_percent_(threshold_percent),
      min_requests_(min_requests),
      window_(window),
      script_(kErrorRateScript),
      local_(threshold_percent, min_requests, window) {}

std::optional<ErrorRate> RedisErrorRateWindow::record(std::string_view subject, bool error, TimePoint now) {
  const auto slot = std::max<std::chrono::milliseconds>(std::chrono::milliseconds(1), window_ / kSlots);
  const std::string counts = redis_.key("errors:" + std::string(subject));
  const std::string reported = redis_.key("errors_reported:" + std::string(subject));
  auto reply = redis_.eval(script_, {counts, reported},
                           {error ? "1" : "0", std::to_string(threshold_percent_), std::to_string(min_requests_),
                            std::to_string(window_.count()), std::to_string(slot.count()), std::to_string(kSlots)});
  if (!reply || reply->type != RedisReply::Type::array || reply->elements.size() != 3) {
    redis_.note_fallback();
    return local_.record(subject, error, now);
  }
  if (reply->elements[0].as_int() != 1) return std::nullopt;
  return ErrorRate{static_cast<std::uint64_t>(reply->elements[1].as_int()),
                   static_cast<std::uint64_t>(reply->elements[2].as_int())};
}

}  // namespace keyrelay::monitor
