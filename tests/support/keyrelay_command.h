#pragma once
// One-shot runs of the `keyrelay` binary (version, keygen, a serve that must refuse to start),
// each in its own temp dir with an environment built from scratch.

#include <chrono>
#include <string>
#include <vector>

#include "support/process.h"

namespace keyrelay::test {

struct CommandResult {
  ExitStatus exit_status = -1;
  std::string out;  // stdout
  std::string err;  // stderr
  // stderr then stdout, for "the output names X" checks and failure messages.
  std::string output() const { return err + out; }
};

// Runs `keyrelay <args...>` with exactly `env` (plus PATH), its working dir a fresh temp dir,
// and waits for it to exit. If it is still running after `timeout` (a `serve` that should have
// refused to start, say), it is killed and std::runtime_error is thrown with its output.
CommandResult run_keyrelay(const std::vector<std::string>& args, const Environment& env = {},
                           std::chrono::milliseconds timeout = std::chrono::milliseconds{20000});

}  // namespace keyrelay::test
