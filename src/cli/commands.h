#pragma once
// The subcommands of the `keyrelay` binary. Each returns the process exit code:
// 0 success, 1 failure (with a message on stderr), 2 usage error.

#include <filesystem>
#include <optional>

namespace CLI {
class App;
}

namespace keyrelay::cli {

struct GlobalOptions {
  std::optional<std::filesystem::path> config_file;  // --config
  bool json = false;                                 // --json: machine-readable output
};

int run_serve(const GlobalOptions& global);
int run_version(const GlobalOptions& global);
// Prints a new master key; with `keyring_file`, writes a new rotatable keyring there instead (mode
// 0600, never over an existing file): what several nodes on one shared database read.
int run_keygen(const GlobalOptions& global, const std::optional<std::filesystem::path>& keyring_file);

// Registers init, user, token, migrate, audit and master-key; their callbacks store the exit code.
void add_admin_commands(CLI::App& app, GlobalOptions& global, int& exit_code);
void add_master_key_commands(CLI::App& app, GlobalOptions& global, int& exit_code);
// Registers `user export` and `user delete` under the `user` command.
void add_user_data_commands(CLI::App& user_command, GlobalOptions& global, int& exit_code);
// Registers `store copy`.
void add_store_commands(CLI::App& app, GlobalOptions& global, int& exit_code);
// Registers `backup`, `backup verify` and `restore`.
void add_backup_commands(CLI::App& app, GlobalOptions& global, int& exit_code);
// Registers `import fernet`.
void add_import_commands(CLI::App& app, GlobalOptions& global, int& exit_code);

}  // namespace keyrelay::cli
