#include "monitor/redis/redis_connection.h"

#include <sys/time.h>

#include <array>

#include <hiredis/hiredis.h>

namespace keyrelay::monitor {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

RedisReply copy_reply(const redisReply& r) {
  RedisReply out;
  switch (r.type) {
    case REDIS_REPLY_STRING: out.type = RedisReply::Type::string; break;
    case REDIS_REPLY_STATUS: out.type = RedisReply::Type::status; break;
    case REDIS_REPLY_ERROR: out.type = RedisReply::Type::error; break;
    case REDIS_REPLY_INTEGER: out.type = RedisReply::Type::integer; break;
    case REDIS_REPLY_ARRAY: out.type = RedisReply::Type::array; break;
    default: out.type = RedisReply::Type::nil; break;
  }
  if (r.str != nullptr) out.text.assign(r.str, r.len);
  out.integer = r.integer;
  for (std::size_t i = 0; i < r.elements; ++i) out.elements.push_back(copy_reply(*r.element[i]));
  return out;
}

}  // namespace

core::Result<std::unique_ptr<RedisConnection>> RedisConnection::open(const RedisEndpoint& endpoint,
                                                                      const RedisTimeouts& timeouts,
                                                                      const RedisTlsFiles& tls) {
  redisContext* context = redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, to_timeval(timeouts.connect));
  if (context == nullptr) return core::Error::unavailable("redis " + endpoint.display() + ": out of memory");
  std::unique_ptr<RedisConnection> connection(new RedisConnection(context, endpoint.display()));
  if (context->err != 0)
    return core::Error::unavailable("redis " + endpoint.display() + " unreachable: " + std::string(context->errstr));
  if (endpoint.tls) {
    // The handshake is bounded by the connect timeout, every command after it by the command one.
    if (redisSetTimeout(context, to_timeval(timeouts.connect)) != REDIS_OK)
      return core::Error::unavailable("redis " + endpoint.display() + ": cannot set the connect timeout");
    auto stream = RedisTlsStream::open(context->fd, endpoint.host, tls, endpoint.display());
    if (!stream) return stream.error();
    connection->tls_ = std::move(*stream);
    connection->reader_ = redisReaderCreate();
    if (connection->reader_ == nullptr) return core::Error::unavailable("redis " + endpoint.display() + ": out of memory");
  }
  if (redisSetTimeout(context, to_timeval(timeouts.command)) != REDIS_OK)
    return core::Error::unavailable("redis " + endpoint.display() + ": cannot set the command timeout");
  if (endpoint.password) {
    std::vector<std::string_view> auth{"AUTH"};
    if (endpoint.user) auth.push_back(*endpoint.user);
    auth.push_back(endpoint.password->reveal_text());
    auto answer = connection->command(auth);
    if (!answer) return answer.error();
    // Redis's own message ("WRONGPASS invalid username-password pair") never repeats the password.
    if (answer->is_error()) return core::Error::unavailable("redis " + endpoint.display() + " refused the login: " + answer->text);
  }
  if (endpoint.db != 0) {
    const std::string db = std::to_string(endpoint.db);
    auto answer = connection->command({"SELECT", db});
    if (!answer) return answer.error();
    if (answer->is_error()) return core::Error::unavailable("redis " + endpoint.display() + ": SELECT failed: " + answer->text);
  }
  return connection;
}

RedisConnection::~RedisConnection() {
  if (reader_ != nullptr) redisReaderFree(reader_);
  tls_.reset();  // before the socket closes
  if (context_ != nullptr) redisFree(context_);
}

core::Result<RedisReply> RedisConnection::command_over_tls(const std::vector<const char*>& argv,
                                                           const std::vector<std::size_t>& lengths) {
  char* formatted = nullptr;
  const int size = redisFormatCommandArgv(&formatted, static_cast<int>(argv.size()),
                                          const_cast<const char**>(argv.data()), lengths.data());
  if (size < 0) return core::Error::internal("redis " + display_ + ": cannot format a command");
  auto sent = tls_->write_all(std::string_view(formatted, static_cast<std::size_t>(size)));
  redisFreeCommand(formatted);
  if (!sent) return sent.error();
  std::array<char, 16 * 1024> buffer{};
  for (;;) {
    void* raw = nullptr;
    if (redisReaderGetReply(reader_, &raw) != REDIS_OK)
      return core::Error::unavailable("redis " + display_ + ": a reply did not parse");
    if (raw != nullptr) {
      RedisReply reply = copy_reply(*static_cast<redisReply*>(raw));
      freeReplyObject(raw);
      return reply;
    }
    auto got = tls_->read_some(buffer.data(), buffer.size());
    if (!got) return got.error();
    if (redisReaderFeed(reader_, buffer.data(), *got) != REDIS_OK)
      return core::Error::unavailable("redis " + display_ + ": a reply did not parse");
  }
}

core::Result<RedisReply> RedisConnection::command(const std::vector<std::string_view>& args) {
  if (broken_) return core::Error::unavailable("redis " + display_ + ": connection broken");
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  if (tls_) {
    auto reply = command_over_tls(argv, lengths);
    if (!reply) broken_ = true;  // a half-read reply cannot be resynchronised
    return reply;
  }
  auto* raw = static_cast<redisReply*>(redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data()));
  if (raw == nullptr) {
    broken_ = true;  // hiredis cannot recover a context after an I/O error or a timeout
    return core::Error::unavailable("redis " + display_ + ": " +
                                    (context_->err != 0 ? std::string(context_->errstr) : std::string("no reply")));
  }
  RedisReply reply = copy_reply(*raw);
  freeReplyObject(raw);
  return reply;
}

}  // namespace keyrelay::monitor
