#pragma once
// key.new_client sightings shared by every node: per user, one set of the SHA-1s of the clients
// (IP address + user agent) seen ("<prefix>clients:<user id>"), at most `per_user` of them, kept
// `ttl` after the user's last use, so a client first seen on node A is no news on node B, and Redis
// forgets idle users. Redis unreachable: this node's ClientSightings answers (a fallback counted).

#include <chrono>

#include "monitor/client_baseline.h"
#include "monitor/client_sightings.h"
#include "monitor/redis/redis_client.h"
#include "monitor/redis/redis_script.h"

namespace keyrelay::monitor {

class RedisClientSightings final : public ClientBaseline {
 public:
  explicit RedisClientSightings(RedisClient& redis, std::size_t per_user = 64,
                                std::chrono::milliseconds ttl = std::chrono::hours(24 * 30));

  bool is_new(std::string_view user_id, std::string_view ip, std::string_view user_agent) override;

 private:
  RedisClient& redis_;
  const std::size_t per_user_;
  const std::chrono::milliseconds ttl_;
  const RedisScript script_;
  ClientSightings local_;
};

}  // namespace keyrelay::monitor
