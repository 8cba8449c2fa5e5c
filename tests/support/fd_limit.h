#pragma once
// Tests that hold 1,000+ sockets need more descriptors than the common soft limit of 1,024.

#include <cstddef>

namespace keyrelay::test {

// Raises this process's RLIMIT_NOFILE soft limit to the hard limit when it is below `wanted`.
// Returns the soft limit in force afterwards (compare it with `wanted` to skip or fail clearly).
// Servers started afterwards inherit the raised limit.
std::size_t raise_open_file_limit(std::size_t wanted);

}  // namespace keyrelay::test
