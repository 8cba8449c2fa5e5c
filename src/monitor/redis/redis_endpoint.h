#pragma once
// Where a Redis server is and how to log in, parsed from KEYRELAY_REDIS_URL:
//   redis://[[user]:password@]host[:port][/db]   (port 6379, db 0 by default)
//   rediss://…                                   the same over TLS (redis_tls.h)
// The password lives in a core::Secret and never appears in an error message: a malformed URL is
// named by its scheme, host and port only (docs/decisions.md, "Redis").

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/secret.h"

namespace keyrelay::monitor {

struct RedisEndpoint {
  std::string host;
  std::uint16_t port = 6379;
  unsigned db = 0;
  std::optional<std::string> user;       // AUTH user password (Redis 6 ACL); absent: AUTH password
  std::optional<core::Secret> password;
  bool tls = false;

  // "redis://host:port/db": what logs show (no credentials).
  std::string display() const;
};

// invalid_request naming what is wrong, never the password.
core::Result<RedisEndpoint> parse_redis_url(std::string_view url);

}  // namespace keyrelay::monitor
