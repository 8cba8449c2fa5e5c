// keyrelay: the command line. Parses arguments with CLI11 and hands off to one subcommand.
// Exit codes: 0 success (and --help), 1 failure, 2 usage error.

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
  std::string config_file;
  app.add_option("--config", config_file, "TOML configuration file (environment variables override it)")
      ->check(CLI::ExistingFile);
  app.add_flag("--json", global.json, "machine-readable output");

  auto* serve = app.add_subcommand("serve", "run the server");
  auto* version = app.add_subcommand("version", "print the version");
  auto* keygen = app.add_subcommand("keygen", "print a new random base64 master key (for KEYRELAY_MASTER_KEY)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);  // prints the help text or the usage error
    return rc == 0 ? 0 : 2;
  }
  if (!config_file.empty()) global.config_file = config_file;

  if (serve->parsed()) return run_serve(global);
  if (version->parsed()) return run_version(global);
  if (keygen->parsed()) return run_keygen(global);
  return 2;
}
