#pragma once
// Just enough of the Redis protocol (RESP) for tests to talk to a redis-server they started: send
// commands, read one-line replies (+OK, +PONG, -ERR ..., :1).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace keyrelay::test {

using RedisCommand = std::vector<std::string>;

// Connects to 127.0.0.1:`port`, sends `commands` in order and returns their replies, one line each
// without the "\r\n" (e.g. {"+OK", "+PONG"}). Only single-line replies are supported (simple
// strings, errors, integers). nullopt when the connection fails or the replies do not all arrive
// within `timeout`.
std::optional<std::vector<std::string>> redis_exchange(
    std::uint16_t port, const std::vector<RedisCommand>& commands,
    std::chrono::milliseconds timeout = std::chrono::milliseconds{2000});

}  // namespace keyrelay::test
