#pragma once
// One blocking connection to Redis (hiredis), logged in (AUTH) and on its database (SELECT), with
// a timeout on connecting and on every command, so a caller on the request path waits at most
// that long when Redis is unreachable. rediss://: the same over TLS (redis_tls.h). Used by one
// thread at a time (RedisClient hands it out).

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "monitor/redis/redis_endpoint.h"
#include "monitor/redis/redis_reply.h"
#include "monitor/redis/redis_tls.h"

struct redisContext;
struct redisReader;

namespace keyrelay::monitor {

struct RedisTimeouts {
  std::chrono::milliseconds connect{200};
  std::chrono::milliseconds command{100};  // per round trip; the rate-limit check is on the request path
};

class RedisConnection {
 public:
  // Connects, AUTHs and SELECTs. unavailable when the server cannot be reached or refuses the
  // login; the message names the endpoint without credentials.
  // rediss:// verifies the server with `tls` (and presents its client certificate, if any).
  static core::Result<std::unique_ptr<RedisConnection>> open(const RedisEndpoint& endpoint, const RedisTimeouts& timeouts,
                                                             const RedisTlsFiles& tls = {});
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends one command and reads its reply. unavailable when the connection failed or timed out;
  // the connection is then broken() and must be dropped.
  core::Result<RedisReply> command(const std::vector<std::string_view>& args);
  bool broken() const noexcept { return broken_; }

 private:
  explicit RedisConnection(redisContext* context, std::string display) : context_(context), display_(std::move(display)) {}
  // One round trip over TLS: hiredis formats the command and parses the reply.
  core::Result<RedisReply> command_over_tls(const std::vector<const char*>& argv, const std::vector<std::size_t>& lengths);

  redisContext* context_;
  std::unique_ptr<RedisTlsStream> tls_;  // rediss:// only
  redisReader* reader_ = nullptr;        // rediss:// only
  std::string display_;
  bool broken_ = false;
};

}  // namespace keyrelay::monitor
