#include "support/redis_wire.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/deadline.h"

namespace keyrelay::test {
namespace {

// RESP's request form: an array of bulk strings, so arguments may hold spaces or be empty.
std::string encode(const RedisCommand& command) {
  std::string out = "*" + std::to_string(command.size()) + "\r\n";
  for (const auto& arg : command) out += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
  return out;
}

struct SocketFd {
  int fd;
  ~SocketFd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::optional<std::vector<std::string>> redis_exchange(std::uint16_t port,
                                                       const std::vector<RedisCommand>& commands,
                                                       std::chrono::milliseconds timeout) {
  const Deadline deadline = deadline_in(timeout);
  SocketFd socket{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (socket.fd < 0) return std::nullopt;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(socket.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    return std::nullopt;
  }
  std::string request;
  for (const auto& command : commands) request += encode(command);
  if (::send(socket.fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return std::nullopt;
  }

  std::vector<std::string> replies;
  std::string buffer;
  while (replies.size() < commands.size()) {
    if (auto end = buffer.find("\r\n"); end != std::string::npos) {
      replies.push_back(buffer.substr(0, end));
      buffer.erase(0, end + 2);
      continue;
    }
    pollfd readable{socket.fd, POLLIN, 0};
    if (::poll(&readable, 1, static_cast<int>(time_left(deadline).count())) <= 0) {
      return std::nullopt;
    }
    char chunk[512];
    const ssize_t n = ::recv(socket.fd, chunk, sizeof chunk, 0);
    if (n <= 0) return std::nullopt;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
  return replies;
}

}  // namespace keyrelay::test
