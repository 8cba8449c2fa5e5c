#include "monitor/redis/redis_spend_counters.h"

#include <chrono>

namespace keyrelay::monitor {
namespace {

// KEYS: the call's counters. ARGV[1]: the amount; then per counter: limit, seed ('' = none),
// expiry (Unix ms). Returns {2, i, …} when counters i… are missing and came without a seed
// (nothing changed), {1, i, spent, reserved} when counter i would be exceeded (nothing reserved
// but the seeds), {0} when `amount` was reserved on every counter.
constexpr const char* kReserveScript = R"lua(
local amount = tonumber(ARGV[1])
local missing = {}
for i, key in ipairs(KEYS) do
  if ARGV[3 * i] == '' and redis.call('EXISTS', key) == 0 then missing[#missing + 1] = i end
end
if #missing > 0 then
  local out = {2}
  for _, i in ipairs(missing) do out[#out + 1] = i end
  return out
end
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 0 then
    redis.call('HSET', key, 'spent', ARGV[3 * i], 'reserved', 0)
    redis.call('PEXPIREAT', key, ARGV[3 * i + 1])
  end
end
for i, key in ipairs(KEYS) do
  local spent = tonumber(redis.call('HGET', key, 'spent') or 0)
  local reserved = tonumber(redis.call('HGET', key, 'reserved') or 0)
  if spent + reserved + amount > tonumber(ARGV[3 * i - 1]) then
    return {1, i, string.format('%d', spent), string.format('%d', reserved)}
  end
end
for _, key in ipairs(KEYS) do redis.call('HINCRBY', key, 'reserved', amount) end
return {0}
)lua";

// KEYS: the counters. ARGV[1]: the reservation to end; ARGV[2]: the spend to add; ARGV[2 + i]:
// counter i's expiry (a counter gone meanwhile is made again). Returns each counter's spend after.
constexpr const char* kSettleScript = R"lua(
local out = {}
for i, key in ipairs(KEYS) do
  local fresh = redis.call('EXISTS', key) == 0
  local reserved = redis.call('HINCRBY', key, 'reserved', -tonumber(ARGV[1]))
  if reserved < 0 then redis.call('HSET', key, 'reserved', 0) end
  out[i] = redis.call('HINCRBY', key, 'spent', tonumber(ARGV[2]))
  if fresh then redis.call('PEXPIREAT', key, ARGV[2 + i]) end
end
return out
)lua";

std::string unix_ms(store::TimePoint t) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

core::Error unreadable() { return core::Error::unavailable("the spend counters in Redis cannot be read"); }

}  // namespace

RedisSpendCounters::RedisSpendCounters(RedisClient& redis)
    : redis_(redis), reserve_script_(kReserveScript), settle_script_(kSettleScript) {}

core::Result<caps::ReserveResult> RedisSpendCounters::reserve(const std::vector<caps::CounterDemand>& demands,
                                                             std::int64_t amount) {
  std::vector<std::string> keys, args{std::to_string(amount)};
  for (const auto& d : demands) {
    keys.push_back(redis_key(d.key));
    args.push_back(std::to_string(d.limit));
    args.push_back(d.seed ? std::to_string(*d.seed) : std::string());
    args.push_back(unix_ms(d.expires_at));
  }
  auto reply = redis_.eval(reserve_script_, {keys.begin(), keys.end()}, {args.begin(), args.end()});
  if (!reply || reply->type != RedisReply::Type::array || reply->elements.empty()) return unreadable();
  const auto& e = reply->elements;
  caps::ReserveResult result;
  switch (e[0].as_int(-1)) {
    case 0: return result;
    case 1:
      if (e.size() != 4) return unreadable();
      result.kind = caps::ReserveResult::Kind::refused;
      result.refused_index = static_cast<std::size_t>(e[1].as_int(1) - 1);
      result.spent = e[2].as_int();
      result.reserved = e[3].as_int();
      if (result.refused_index >= demands.size()) return unreadable();
      return result;
    case 2:
      result.kind = caps::ReserveResult::Kind::needs_seed;
      for (std::size_t i = 1; i < e.size(); ++i) {
        const auto index = e[i].as_int(0) - 1;
        if (index < 0 || static_cast<std::size_t>(index) >= demands.size()) return unreadable();
        result.unseeded.push_back(static_cast<std::size_t>(index));
      }
      return result;
    default: return unreadable();
  }
}

core::Result<std::vector<std::int64_t>> RedisSpendCounters::settle(const std::vector<caps::CounterDemand>& counters,
                                                                  std::int64_t reserved, std::int64_t spent) {
  std::vector<std::string> keys, args{std::to_string(reserved), std::to_string(spent)};
  for (const auto& d : counters) {
    keys.push_back(redis_key(d.key));
    args.push_back(unix_ms(d.expires_at));
  }
  auto reply = redis_.eval(settle_script_, {keys.begin(), keys.end()}, {args.begin(), args.end()});
  if (!reply || reply->type != RedisReply::Type::array || reply->elements.size() != counters.size()) return unreadable();
  std::vector<std::int64_t> after;
  for (const auto& v : reply->elements) after.push_back(v.as_int());
  return after;
}

core::Result<bool> RedisSpendCounters::first_alert(const caps::CounterKey& key, int percent) {
  const std::string k = redis_key(key);
  const std::string field = "alerted_" + std::to_string(percent);
  auto reply = redis_.command({"HSETNX", k, field, "1"});
  if (!reply || reply->type != RedisReply::Type::integer) return unreadable();
  return reply->integer == 1;
}

core::Result<std::optional<caps::SpendCounters::Figures>> RedisSpendCounters::figures(const caps::CounterKey& key) {
  const std::string k = redis_key(key);
  auto reply = redis_.command({"HMGET", k, "spent", "reserved"});
  if (!reply || reply->type != RedisReply::Type::array || reply->elements.size() != 2) return unreadable();
  if (reply->elements[0].type == RedisReply::Type::nil) return std::optional<Figures>();
  return std::optional<Figures>(Figures{reply->elements[0].as_int(), reply->elements[1].as_int()});
}

}  // namespace keyrelay::monitor
