#pragma once
// The Redis client of the shared limits and windows (issue 13 item 6): a pool of blocking
// connections (calls come from I/O and worker threads; each takes one for one round trip), scripts
// by EVALSHA with the source sent again on NOSCRIPT, reconnection on failure, and a "down" state:
// after a failure every call fails at once, without waiting on the network, until `retry_interval`
// has passed; then one caller probes. Callers fall back to their local version while it is down
// and count that with note_fallback() (keyrelay_redis_fallback_total).
//
// Logs one warning when Redis becomes unreachable and one line when it is back — never one per
// request — and never the password. Thread-safe.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "monitor/redis/redis_connection.h"
#include "monitor/redis/redis_endpoint.h"
#include "monitor/redis/redis_reply.h"
#include "monitor/redis/redis_script.h"

namespace keyrelay::monitor {

struct RedisClientOptions {
  RedisTimeouts timeouts;
  RedisTlsFiles tls;  // rediss:// only
  std::chrono::milliseconds retry_interval{1000};  // after a failure, calls fail fast this long
  std::size_t max_idle_connections = 16;
  std::string key_prefix = "keyrelay:";           // every key this process writes starts with it
};

class RedisClient {
 public:
  RedisClient(RedisEndpoint endpoint, RedisClientOptions options = {});
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // One command, one round trip. unavailable when Redis is down or the call failed; a Redis error
  // reply is returned as a reply of type error.
  core::Result<RedisReply> command(const std::vector<std::string_view>& args);
  // EVALSHA `script` with `keys` and `args`. A script error reply becomes internal.
  core::Result<RedisReply> eval(const RedisScript& script, const std::vector<std::string_view>& keys,
                                const std::vector<std::string_view>& args);

  // "<prefix><name>", e.g. "keyrelay:rl:mutation:<user>".
  std::string key(std::string_view name) const { return options_.key_prefix + std::string(name); }

  // Opens a first connection; unavailable (naming the endpoint, never the password) when Redis
  // cannot be reached or refuses the login. serve calls it once at start to say so loudly.
  core::Result<void> check();

  bool is_up() const noexcept { return up_.load(std::memory_order_acquire); }
  void note_fallback() noexcept { fallbacks_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t fallbacks() const noexcept { return fallbacks_.load(std::memory_order_relaxed); }
  const RedisEndpoint& endpoint() const noexcept { return endpoint_; }

 private:
  using Clock = std::chrono::steady_clock;

  // An idle connection, or a new one.
  core::Result<std::unique_ptr<RedisConnection>> take(bool& reused);
  void give_back(std::unique_ptr<RedisConnection> connection);
  // Whether this call may try the network now (not down, or the one probe after retry_interval).
  bool may_try();
  void mark_down(const core::Error& why);
  void mark_up();

  const RedisEndpoint endpoint_;
  const RedisClientOptions options_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<RedisConnection>> idle_;  // guarded by mutex_
  std::atomic<bool> up_{true};
  std::atomic<Clock::rep> retry_at_{0};  // while down: when the next probe may run
  std::atomic<std::uint64_t> fallbacks_{0};
};

}  // namespace keyrelay::monitor
