#pragma once
// The client a network address stands for, where keyrelay counts failed authentications and locks
// clients out. Pure function, thread-safe.

#include <string>
#include <string_view>

namespace keyrelay::core {

// An IPv4 address is its own group ("203.0.113.7"). An IPv6 address is grouped by its /64
// ("2001:db8:1:2::/64"): a subscriber is given a whole /64 and may use any address in it, so a
// lockout per IPv6 address would be no lockout. An IPv4-mapped IPv6 address ("::ffff:203.0.113.7")
// is its IPv4 address. Text that is not an IP address (empty, a zone id, garbage) is returned as it
// is: it is still some client, just not one we can group.
std::string address_group(std::string_view ip);

}  // namespace keyrelay::core
