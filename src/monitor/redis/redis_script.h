#pragma once
// A Lua script run with EVALSHA: its source and SHA-1 (computed here, so the first call needs no
// SCRIPT LOAD round trip; a restarted Redis answers NOSCRIPT and RedisClient sends the source).

#include <string>

namespace keyrelay::monitor {

class RedisScript {
 public:
  explicit RedisScript(std::string source);
  const std::string& source() const noexcept { return source_; }
  const std::string& sha1() const noexcept { return sha1_; }

 private:
  std::string source_;
  std::string sha1_;  // lower-case hex, as Redis names scripts
};

}  // namespace keyrelay::monitor
