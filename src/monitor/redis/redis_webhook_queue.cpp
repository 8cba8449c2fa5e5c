#include "monitor/redis/redis_webhook_queue.h"

#include "core/ids.h"

namespace keyrelay::monitor {
namespace {

using SysTime = std::chrono::system_clock::time_point;

// The record's fields, in the order the claim and recent scripts return them (HMGET).
constexpr const char* kFields =
    "'id','alert_id','event','rule','url','state','attempts','last_status','last_error','created_at',"
    "'next_attempt_at','finished_at'";
constexpr std::size_t kFieldCount = 12;

// KEYS: due, recent, record. ARGV: id, created ms, capacity, then the record's field/value pairs.
constexpr const char* kAddScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[3], unpack(ARGV, 4))
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
if extra > 0 then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, extra - 1) end
return 1
)lua";

// KEYS: due. ARGV: lease ms, lease token, record key prefix. The first due delivery, moved a lease
// into the future and counted as one more attempt; {} when none is due.
const std::string kClaimScript = std::string(R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for _ = 1, 10 do
  local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 1)
  if #ids == 0 then return {} end
  local key = ARGV[3] .. ids[1]
  if redis.call('EXISTS', key) == 1 then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ids[1])
    redis.call('HSET', key, 'lease', ARGV[2])
    redis.call('HINCRBY', key, 'attempts', 1)
    local out = redis.call('HMGET', key, )lua") + kFields + R"lua()
    table.insert(out, redis.call('HGET', key, 'body'))
    return out
  end
  redis.call('ZREM', KEYS[1], ids[1])
end
return {}
)lua";

// KEYS: due, record. ARGV: lease token, state, last status, last error, retry ms, finished at,
// next attempt at, keep ms. 0 when the lease is no longer ours.
constexpr const char* kFinishScript = R"lua(
if redis.call('HGET', KEYS[2], 'lease') ~= ARGV[1] then return 0 end
local id = redis.call('HGET', KEYS[2], 'id')
redis.call('HSET', KEYS[2], 'state', ARGV[2], 'last_status', ARGV[3], 'last_error', ARGV[4], 'lease', '')
if ARGV[2] == 'pending' then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[5]), id)
  redis.call('HSET', KEYS[2], 'next_attempt_at', ARGV[7])
else
  redis.call('ZREM', KEYS[1], id)
  redis.call('HSET', KEYS[2], 'finished_at', ARGV[6], 'next_attempt_at', '')
  redis.call('PEXPIRE', KEYS[2], ARGV[8])
end
return 1
)lua";

// KEYS: recent. ARGV: limit, record key prefix. The newest records (forgetting expired ones).
const std::string kRecentScript = std::string(R"lua(
local ids = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
local out = {}
for _, id in ipairs(ids) do
  local key = ARGV[2] .. id
  if redis.call('EXISTS', key) == 1 then
    table.insert(out, redis.call('HMGET', key, )lua") + kFields + R"lua())
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out
)lua";

std::string ms_text(SysTime t) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

std::optional<SysTime> time_of(const RedisReply& r) {
  if (r.type != RedisReply::Type::string || r.text.empty()) return std::nullopt;
  return SysTime(std::chrono::milliseconds(r.as_int()));
}

DeliveryState state_of(std::string_view name) {
  if (name == "delivered") return DeliveryState::delivered;
  if (name == "failed") return DeliveryState::failed;
  return DeliveryState::pending;
}

// A record from the HMGET of kFields.
WebhookDelivery record_of(const std::vector<RedisReply>& f) {
  WebhookDelivery d;
  d.id = f[0].text;
  d.alert_id = f[1].text;
  d.event = f[2].text;
  d.rule = f[3].text;
  d.url = f[4].text;
  d.state = state_of(f[5].text);
  d.attempts = static_cast<unsigned>(f[6].as_int());
  if (f[7].type == RedisReply::Type::string && !f[7].text.empty()) d.last_status = static_cast<int>(f[7].as_int());
  d.last_error = f[8].text;
  d.created_at = time_of(f[9]).value_or(SysTime{});
  d.next_attempt_at = time_of(f[10]);
  d.finished_at = time_of(f[11]);
  return d;
}

}  // namespace

RedisWebhookQueue::RedisWebhookQueue(RedisClient& redis, RedisWebhookQueueOptions options)
    : redis_(redis),
      options_(options),
      due_(redis.key("webhooks:due")),
      recent_(redis.key("webhooks:recent")),
      record_prefix_(redis.key("webhooks:d:")),
      add_script_(kAddScript),
      claim_script_(kClaimScript),
      finish_script_(kFinishScript),
      recent_script_(kRecentScript) {}

core::Result<void> RedisWebhookQueue::add(const WebhookDelivery& d, std::string_view body) {
  const std::string record = record_prefix_ + d.id;
  const std::string created = ms_text(d.created_at);
  const std::string capacity = std::to_string(options_.capacity);
  const std::string next = d.next_attempt_at ? ms_text(*d.next_attempt_at) : std::string();
  auto reply = redis_.eval(add_script_, {due_, recent_, record},
                           {d.id, created, capacity, "id", d.id, "alert_id", d.alert_id, "event", d.event, "rule",
                            d.rule, "url", d.url, "state", "pending", "attempts", "0", "last_status", "",
                            "last_error", "", "created_at", created, "next_attempt_at", next, "finished_at", "",
                            "body", body, "lease", ""});
  if (!reply) return reply.error();
  return core::ok();
}

core::Result<std::optional<ClaimedDelivery>> RedisWebhookQueue::claim(std::chrono::milliseconds lease) {
  const std::string token = core::uuid_v4();
  auto reply = redis_.eval(claim_script_, {due_}, {std::to_string(lease.count()), token, record_prefix_});
  if (!reply) return reply.error();
  if (reply->type != RedisReply::Type::array || reply->elements.size() != kFieldCount + 1)
    return std::optional<ClaimedDelivery>();
  ClaimedDelivery claimed;
  claimed.delivery = record_of(reply->elements);
  claimed.body = reply->elements[kFieldCount].text;
  claimed.lease = token;
  return std::optional<ClaimedDelivery>(std::move(claimed));
}

core::Result<bool> RedisWebhookQueue::finish(const ClaimedDelivery& claimed, const DeliveryOutcome& outcome) {
  const auto now = std::chrono::system_clock::now();
  auto reply = redis_.eval(
      finish_script_, {due_, record_prefix_ + claimed.delivery.id},
      {claimed.lease, delivery_state_name(outcome.state), outcome.status ? std::to_string(*outcome.status) : "",
       outcome.error, std::to_string(outcome.retry_in.count()), ms_text(now), ms_text(now + outcome.retry_in),
       std::to_string(options_.keep.count())});
  if (!reply) return reply.error();
  return reply->as_int() == 1;
}

core::Result<std::vector<WebhookDelivery>> RedisWebhookQueue::recent(std::size_t limit) {
  std::vector<WebhookDelivery> out;
  if (limit == 0) return out;
  auto reply = redis_.eval(recent_script_, {recent_}, {std::to_string(limit), record_prefix_});
  if (!reply) return reply.error();
  for (const auto& row : reply->elements)
    if (row.elements.size() == kFieldCount) out.push_back(record_of(row.elements));
  return out;
}

core::Result<std::size_t> RedisWebhookQueue::pending() {
  auto reply = redis_.command({"ZCARD", due_});
  if (!reply) return reply.error();
  return static_cast<std::size_t>(reply->as_int());
}

}  // namespace keyrelay::monitor
