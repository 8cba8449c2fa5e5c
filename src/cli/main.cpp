// keyrelay: the command line. Parses arguments with CLI11 and hands off to one subcommand.
// Exit codes: 0 success (and --help/--version), 1 failure, 2 usage error.

#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  using namespace keyrelay::cli;
  CLI::App app{"keyrelay: a bring-your-own-key vault and provider gateway", "keyrelay"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("keyrelay ") + KEYRELAY_VERSION);
  // Global options may also follow the subcommand: `keyrelay serve --config f.toml`.
  app.fallthrough();
  GlobalOptions global;
  app.add_option_function<std::string>(
         "--config", [&global](const std::string& path) { global.config_file = path; },
         "TOML configuration file (environment variables override it)")
      ->check(CLI::ExistingFile);
  app.add_flag("--json", global.json, "machine-readable output");

  int code = 0;
  app.add_subcommand("serve", "run the server")->callback([&] { code = run_serve(global); });
  app.add_subcommand("version", "print the version")->callback([&] { code = run_version(global); });
  std::optional<std::filesystem::path> keyring_file;
  auto* keygen = app.add_subcommand(
      "keygen", "print a new random base64 master key (for KEYRELAY_MASTER_KEY), or write a new keyring file");
  keygen->add_option("--keyring", keyring_file,
                     "write a new rotatable keyring to this file (mode 0600; refuses an existing file) for "
                     "KEYRELAY_KEYRING_FILE, e.g. for several nodes on one PostgreSQL database");
  keygen->callback([&] { code = run_keygen(global, keyring_file); });
  add_admin_commands(app, global, code);
  add_master_key_commands(app, global, code);
  add_store_commands(app, global, code);
  add_backup_commands(app, global, code);
  add_import_commands(app, global, code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);  // prints the help text or the usage error
    return rc == 0 ? 0 : 2;
  }
  return code;
}
