#pragma once
// The subcommands of the `keyrelay` binary. Each returns the process exit code:
// 0 success, 1 failure (with a message on stderr), 2 usage error.

#include <filesystem>
#include <optional>

namespace keyrelay::cli {

struct GlobalOptions {
  std::optional<std::filesystem::path> config_file;  // --config
  bool json = false;                                 // --json: machine-readable output
};

int run_serve(const GlobalOptions& global);
int run_version(const GlobalOptions& global);
int run_keygen(const GlobalOptions& global);

}  // namespace keyrelay::cli
