#pragma once
// Ports on 127.0.0.1 for servers a test starts itself (PostgreSQL, Redis): pick one nobody listens on,
// and check whether something still accepts connections there.

#include <sys/types.h>

#include <cstdint>

namespace keyrelay::test {

// A port the kernel just handed out for 127.0.0.1 and that is free again now. Another process may
// take it before the caller binds it (rare); servers that fail to bind are retried on a new port.
// Throws std::system_error when no socket can be bound.
std::uint16_t pick_free_local_port();

// True when a TCP connection to 127.0.0.1:`port` is accepted right now.
bool local_port_accepts_connections(std::uint16_t port);

// True when `pid` no longer names a live process (it does not exist, or is a zombie waiting for a
// reaper that is not us: a daemonized server's parent is init, which may be slow to reap).
bool process_is_gone(pid_t pid);

}  // namespace keyrelay::test
