#pragma once
// A child process started from argv with an environment built from scratch, so nothing from the
// developer's shell (a stray KEYRELAY_LISTEN, say) leaks into a test. Its stdout and stderr go to
// files, which tests read at any time, also while it runs. Destroying a running Process kills it
// (SIGKILL) and reaps it, so a failed assertion never leaves a server behind.
// Not thread-safe; move-only.

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/deadline.h"

namespace keyrelay::test {

using Environment = std::map<std::string, std::string>;

// An exit status as a shell reports it: the exit code, or 128 + the signal number when the process
// was killed by a signal (so a crash shows up as 134 or 139, never as 0).
using ExitStatus = int;

// The absolute path of `name` on PATH; nullopt when it is not there.
std::optional<std::filesystem::path> find_on_path(const std::string& name);

class Process {
 public:
  // Starts argv[0] (an absolute path) with exactly `env`, plus PATH and the sanitizer options
  // (ASAN_OPTIONS ...) of the test process when set there. The child runs in `working_dir`, reads
  // /dev/null and writes to `output_dir`/stdout.log and stderr.log. Signal dispositions and the mask
  // are reset to defaults. Throws std::system_error when the process cannot be spawned.
  Process(const std::vector<std::string>& argv, const Environment& env,
          const std::filesystem::path& working_dir, const std::filesystem::path& output_dir);
  ~Process();
  Process(Process&& other) noexcept;
  Process& operator=(Process&&) = delete;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }

  // Sends `signo`. False when the process has already been reaped.
  bool send_signal(int signo);

  // Waits until the process exits (→ its status) or `deadline` passes (→ nullopt, still running).
  // Once it has exited, every later call returns the same status at once.
  std::optional<ExitStatus> wait_for_exit(Deadline deadline);

  // True while the process has not exited. Reaps it when it has.
  bool is_running();

  std::string stdout_text() const;
  std::string stderr_text() const;
  // stderr then stdout, each ending in a newline: handy for failure messages.
  std::string output_text() const;

 private:
  // Reaps the process without blocking; true once it has exited.
  bool try_reap();

  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
  std::filesystem::path stdout_path_;
  std::filesystem::path stderr_path_;
};

}  // namespace keyrelay::test
