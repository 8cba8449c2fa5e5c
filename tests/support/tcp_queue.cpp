#include "support/tcp_queue.h"

#include <fstream>
#include <sstream>
#include <string>

namespace keyrelay::test {
namespace {

// "0100007F:1F90" → 0x1F90. The port is printed in hex after the colon.
std::optional<std::uint16_t> port_of(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  try {
    return static_cast<std::uint16_t>(std::stoul(address.substr(colon + 1), nullptr, 16));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<std::size_t> find_in(const char* table, std::uint16_t local, std::uint16_t remote) {
  std::ifstream in(table);
  std::string line;
  std::getline(in, line);  // column titles
  while (std::getline(in, line)) {
    // sl local_address rem_address st tx_queue:rx_queue ...
    std::istringstream fields(line);
    std::string slot, local_address, remote_address, state, queues;
    if (!(fields >> slot >> local_address >> remote_address >> state >> queues)) continue;
    if (port_of(local_address) != local || port_of(remote_address) != remote) continue;
    auto colon = queues.find(':');
    if (colon == std::string::npos) continue;
    try {
      return static_cast<std::size_t>(std::stoul(queues.substr(colon + 1), nullptr, 16));
    } catch (const std::exception&) {
      continue;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::size_t> server_unread_bytes(std::uint16_t server_port,
                                               std::uint16_t client_port) {
  if (auto bytes = find_in("/proc/net/tcp", server_port, client_port)) return bytes;
  return find_in("/proc/net/tcp6", server_port, client_port);
}

bool wait_until_server_has_read(std::uint16_t server_port, std::uint16_t client_port,
                                Deadline deadline) {
  return poll_until(deadline, [&] { return server_unread_bytes(server_port, client_port) == 0; },
                    std::chrono::milliseconds{5});
}

}  // namespace keyrelay::test
