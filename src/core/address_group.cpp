#include "core/address_group.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace keyrelay::core {

std::string address_group(std::string_view ip) {
  // inet_pton needs a terminated string; anything longer than an IPv6 text is no address.
  std::array<char, INET6_ADDRSTRLEN + 1> text{};
  if (ip.empty() || ip.size() >= text.size()) return std::string(ip);
  std::copy(ip.begin(), ip.end(), text.begin());

  in_addr v4{};
  if (::inet_pton(AF_INET, text.data(), &v4) == 1) {
    char out[INET_ADDRSTRLEN];
    return ::inet_ntop(AF_INET, &v4, out, sizeof out) != nullptr ? std::string(out) : std::string(ip);
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, text.data(), &v6) != 1) return std::string(ip);
  if (IN6_IS_ADDR_V4MAPPED(&v6)) {
    in_addr mapped{};
    std::memcpy(&mapped, v6.s6_addr + 12, 4);
    char out[INET_ADDRSTRLEN];
    return ::inet_ntop(AF_INET, &mapped, out, sizeof out) != nullptr ? std::string(out) : std::string(ip);
  }
  std::memset(v6.s6_addr + 8, 0, 8);  // keep the network, drop the interface part
  char out[INET6_ADDRSTRLEN];
  if (::inet_ntop(AF_INET6, &v6, out, sizeof out) == nullptr) return std::string(ip);
  return std::string(out) + "/64";
}

}  // namespace keyrelay::core
