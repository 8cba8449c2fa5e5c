#include "support/local_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "support/temp_dir.h"

namespace keyrelay::test {
namespace {

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// Closes the socket on every path out.
struct SocketFd {
  int fd;
  ~SocketFd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::uint16_t pick_free_local_port() {
  SocketFd socket{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (socket.fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
  sockaddr_in address = loopback(0);
  if (::bind(socket.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::system_error(errno, std::generic_category(), "bind 127.0.0.1:0");
  }
  socklen_t length = sizeof address;
  if (::getsockname(socket.fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::system_error(errno, std::generic_category(), "getsockname");
  }
  return ntohs(address.sin_port);
}

bool local_port_accepts_connections(std::uint16_t port) {
  SocketFd socket{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (socket.fd < 0) return false;
  sockaddr_in address = loopback(port);
  return ::connect(socket.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
}

bool process_is_gone(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
  // /proc/<pid>/stat is "pid (comm) S ..."; comm may hold spaces, so read the state after the last ')'.
  std::string stat = read_file_or_empty("/proc/" + std::to_string(pid) + "/stat");
  auto close_paren = stat.rfind(')');
  if (stat.empty() || close_paren == std::string::npos) return true;
  return close_paren + 2 < stat.size() && stat[close_paren + 2] == 'Z';
}

}  // namespace keyrelay::test
