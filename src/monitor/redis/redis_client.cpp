#include "monitor/redis/redis_client.h"

#include "logging/log.h"

namespace keyrelay::monitor {

RedisClient::RedisClient(RedisEndpoint endpoint, RedisClientOptions options)
    : endpoint_(std::move(endpoint)), options_(std::move(options)) {}

RedisClient::~RedisClient() = default;

core::Result<std::unique_ptr<RedisConnection>> RedisClient::take(bool& reused) {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      reused = true;
      return connection;
    }
  }
  reused = false;
  return RedisConnection::open(endpoint_, options_.timeouts, options_.tls);
}

void RedisClient::give_back(std::unique_ptr<RedisConnection> connection) {
  if (connection->broken()) return;
  std::lock_guard lock(mutex_);
  if (idle_.size() < options_.max_idle_connections) idle_.push_back(std::move(connection));
}

bool RedisClient::may_try() {
  if (up_.load(std::memory_order_acquire)) return true;
  auto retry_at = retry_at_.load(std::memory_order_acquire);
  const auto now = Clock::now().time_since_epoch().count();
  if (now < retry_at) return false;
  // One caller wins the probe; the others keep failing fast until it has answered.
  const auto next = (Clock::now() + options_.retry_interval).time_since_epoch().count();
  return retry_at_.compare_exchange_strong(retry_at, next, std::memory_order_acq_rel);
}

void RedisClient::mark_down(const core::Error& why) {
  retry_at_.store((Clock::now() + options_.retry_interval).time_since_epoch().count(), std::memory_order_release);
  {
    std::lock_guard lock(mutex_);
    idle_.clear();  // a restarted server closed them all
  }
  if (up_.exchange(false, std::memory_order_acq_rel))
    logging::warn("redis unreachable: shared limits and windows fall back to this node's memory until it is back",
                  {{"redis", endpoint_.display()}, {"error", why.message}});
}

void RedisClient::mark_up() {
  if (!up_.load(std::memory_order_acquire) && !up_.exchange(true, std::memory_order_acq_rel))
    logging::info("redis reachable again: limits and windows are shared again", {{"redis", endpoint_.display()}});
}

core::Result<RedisReply> RedisClient::command(const std::vector<std::string_view>& args) {
  if (!may_try()) return core::Error::unavailable("redis " + endpoint_.display() + " is down");
  // A pooled connection may have been closed by a restarted server: one more try on a fresh one.
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = false;
    auto connection = take(reused);
    if (!connection) {
      mark_down(connection.error());
      return connection.error();
    }
    auto reply = (*connection)->command(args);
    give_back(std::move(*connection));
    if (reply) {
      mark_up();
      return reply;
    }
    if (!reused || attempt == 1) {
      mark_down(reply.error());
      return reply.error();
    }
  }
  return core::Error::unavailable("redis " + endpoint_.display() + " is down");
}

core::Result<RedisReply> RedisClient::eval(const RedisScript& script, const std::vector<std::string_view>& keys,
                                           const std::vector<std::string_view>& args) {
  const std::string key_count = std::to_string(keys.size());
  std::vector<std::string_view> argv{"EVALSHA", script.sha1(), key_count};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  auto reply = command(argv);
  if (reply && reply->is_error() && reply->text.starts_with("NOSCRIPT")) {
    argv[0] = "EVAL";  // also caches the script under its SHA-1 for the next EVALSHA
    argv[1] = script.source();
    reply = command(argv);
  }
  if (!reply) return reply.error();
  if (reply->is_error()) return core::Error::internal("redis script failed: " + reply->text);
  return reply;
}

core::Result<void> RedisClient::check() {
  auto pong = command({"PING"});
  if (!pong) return pong.error();
  if (pong->is_error()) return core::Error::unavailable("redis " + endpoint_.display() + ": " + pong->text);
  return core::ok();
}

}  // namespace keyrelay::monitor
