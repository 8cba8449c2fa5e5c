#include "monitor/redis/redis_reply.h"

#include <charconv>

namespace keyrelay::monitor {

std::int64_t RedisReply::as_int(std::int64_t fallback) const noexcept {
  if (type == Type::integer) return integer;
  if (type != Type::string && type != Type::status) return fallback;
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  return ec == std::errc{} && end == text.data() + text.size() ? v : fallback;
}

}  // namespace keyrelay::monitor
