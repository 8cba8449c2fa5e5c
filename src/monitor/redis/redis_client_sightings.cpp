#include "monitor/redis/redis_client_sightings.h"

namespace keyrelay::monitor {
namespace {

// KEYS[1] the user's clients; ARGV: client ("<ip>\n<agent>"), per-user cap, TTL ms. As
// ClientSightings: the first client is the baseline; a user with too many starts over, quietly.
constexpr const char* kSightingScript = R"lua(
local client = redis.sha1hex(ARGV[1])
local n = redis.call('SCARD', KEYS[1])
local fresh = 0
if n == 0 then
  redis.call('SADD', KEYS[1], client)
elseif redis.call('SISMEMBER', KEYS[1], client) == 1 then
  fresh = 0
elseif n >= tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1])
  redis.call('SADD', KEYS[1], client)
else
  redis.call('SADD', KEYS[1], client)
  fresh = 1
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return fresh
)lua";

}  // namespace

RedisClientSightings::RedisClientSightings(RedisClient& redis, std::size_t per_user, std::chrono::milliseconds ttl)
    : redis_(redis), per_user_(per_user), ttl_(ttl), script_(kSightingScript), local_(per_user) {}

bool RedisClientSightings::is_new(std::string_view user_id, std::string_view ip, std::string_view user_agent) {
  std::string client;
  client.reserve(ip.size() + 1 + user_agent.size());
  client.append(ip).append("\n").append(user_agent);
  auto reply = redis_.eval(script_, {redis_.key("clients:" + std::string(user_id))},
                           {client, std::to_string(per_user_), std::to_string(ttl_.count())});
  if (!reply) {
    redis_.note_fallback();
    return local_.is_new(user_id, ip, user_agent);
  }
  return reply->as_int() == 1;
}

}  // namespace keyrelay::monitor
