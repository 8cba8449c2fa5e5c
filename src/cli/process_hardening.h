#pragma once
// Keeps secrets out of crash dumps and away from other processes of the same user.

#include <cstddef>

namespace keyrelay::cli {

// prctl(PR_SET_DUMPABLE, 0) (no core file, no ptrace attach by non-root) and RLIMIT_CORE = 0.
void disable_core_dumps();
// Raises the soft limit on open files to the hard limit, so max_connections is reachable.
// Returns the soft limit now in force (descriptors the process may hold).
std::size_t raise_open_file_limit();

}  // namespace keyrelay::cli
