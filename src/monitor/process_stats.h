#pragma once
// This process's resource figures, read from /proc at scrape time (Linux).

#include <cstdint>
#include <optional>

namespace keyrelay::monitor {

struct ProcessStats {
  double cpu_seconds = 0;           // user + system
  std::uint64_t resident_bytes = 0;
  std::uint64_t virtual_bytes = 0;
  std::uint64_t open_fds = 0;
  std::uint64_t max_fds = 0;
  double start_time_seconds = 0;    // since the Unix epoch
};

std::optional<ProcessStats> read_process_stats();

}  // namespace keyrelay::monitor
