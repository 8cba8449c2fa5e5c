#include "support/keyrelay_command.h"

#include <stdexcept>

#include "support/temp_dir.h"

namespace keyrelay::test {

CommandResult run_keyrelay(const std::vector<std::string>& args, const Environment& env,
                           std::chrono::milliseconds timeout) {
  TempDir dir;
  std::vector<std::string> argv = {KEYRELAY_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  Process process(argv, env, dir.path(), dir.path());
  auto status = process.wait_for_exit(deadline_in(timeout));
  if (!status) {
    std::string command = "keyrelay";
    for (const auto& arg : args) command += " " + arg;
    throw std::runtime_error("`" + command + "` still running after " +
                             std::to_string(timeout.count()) + " ms\n--- output ---\n" +
                             process.output_text());
  }
  return CommandResult{*status, process.stdout_text(), process.stderr_text()};
}

}  // namespace keyrelay::test
