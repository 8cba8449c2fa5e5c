#pragma once
// One Redis answer as a plain value (copied out of hiredis's reply tree, which is freed at once).
// A Redis error reply ("-NOSCRIPT …", "-WRONGPASS …") is a value of type `error`, not a failure:
// a failure is a connection that broke or timed out.

#include <cstdint>
#include <string>
#include <vector>

namespace keyrelay::monitor {

struct RedisReply {
  enum class Type { nil, string, status, integer, array, error };
  Type type = Type::nil;
  std::string text;        // string, status, error
  std::int64_t integer = 0;
  std::vector<RedisReply> elements;

  bool is_error() const noexcept { return type == Type::error; }
  // The integer of an integer reply, or of a string that holds one (Lua numbers often come back
  // as strings); `fallback` otherwise.
  std::int64_t as_int(std::int64_t fallback = 0) const noexcept;
};

}  // namespace keyrelay::monitor
