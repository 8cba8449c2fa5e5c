#pragma once
// How many bytes the server has not yet read from one of our connections, from the kernel's
// socket table (/proc/net/tcp). Tests that must know the server has *seen* some bytes (a partial
// request that should count as in flight when SIGTERM arrives) wait for this to reach zero
// instead of sleeping and hoping.

#include <cstddef>
#include <cstdint>
#include <optional>

#include "support/deadline.h"

namespace keyrelay::test {

// The receive-queue length of the server's end of the loopback connection between
// 127.0.0.1:`server_port` and our local `client_port`; nullopt when the kernel lists no such socket.
std::optional<std::size_t> server_unread_bytes(std::uint16_t server_port, std::uint16_t client_port);

// Polls server_unread_bytes until it reports 0 (→ true) or `deadline` passes (→ false).
bool wait_until_server_has_read(std::uint16_t server_port, std::uint16_t client_port,
                                Deadline deadline);

}  // namespace keyrelay::test
