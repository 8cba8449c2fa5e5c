// `keyrelay import fernet`: users and keys from a Fernet-encrypted store (cli/fernet_import.h).
// The summary goes to stdout, each bad row and the failure to stderr; exit 1 when nothing was
// imported, or not everything without --skip-bad.

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "cli/app_context.h"
#include "cli/commands.h"
#include "cli/fernet_import.h"
#include "cli/provider_catalog.h"
#include "logging/log.h"

namespace keyrelay::cli {
namespace {

struct ImportArgs {
  FernetImportOptions options;
  std::string scheme = "per-user-salt";
};

std::string plural(std::size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

void print_summary(const GlobalOptions& global, const FernetImportReport& report, const FernetImportOptions& options) {
  if (global.json) {
    boost::json::array problems;
    for (const auto& p : report.problems) problems.push_back(boost::json::object{{"line", p.line}, {"reason", p.reason}});
    std::cout << boost::json::serialize(boost::json::object{{"rows", report.rows},
                                                            {"imported", report.imported},
                                                            {"skipped", options.skip_bad ? report.problems.size() : 0},
                                                            {"users_created", report.users_created},
                                                            {"dry_run", options.dry_run},
                                                            {"written", report.written},
                                                            {"errors", std::move(problems)}})
              << "\n";
    return;
  }
  for (const auto& p : report.problems) std::cerr << "line " << p.line << ": " << p.reason << "\n";
  const bool all_or_nothing_failed = !report.problems.empty() && !options.skip_bad;
  std::cout << (options.dry_run ? "dry run: " : "") << (options.dry_run ? "would import " : "imported ")
            << plural(report.imported, "key") << " of " << plural(report.rows, "row") << "; "
            << (options.dry_run ? "would create " : "created ") << plural(report.users_created, "user") << "; "
            << (options.skip_bad ? "skipped " : "") << plural(report.problems.size(), "bad row")
            << (all_or_nothing_failed ? " (nothing is imported while any row is bad; --skip-bad leaves them out)" : "")
            << (options.dry_run ? "; nothing was written" : "") << "\n";
}

int run_import(const GlobalOptions& global, ImportArgs& args) {
  logging::init(logging::Level::warn, logging::Format::text);
  int rc = 1;
  auto app = open_app(global, "cli", KeyringPolicy::existing_only);
  auto scheme = vault::parse_fernet_scheme(args.scheme);
  if (!app) {
    rc = report_failure(global, "import fernet", app.error());
  } else if (!scheme) {
    rc = report_failure(global, "import fernet", core::Error::invalid_request("--scheme must be per-user-salt or envelope"));
  } else if (auto catalog = load_catalog((*app)->config); !catalog) {
    rc = report_failure(global, "import fernet", catalog.error());
  } else {
    args.options.scheme = *scheme;
    auto report = import_fernet(**app, *catalog, args.options);
    if (!report) {
      rc = report_failure(global, "import fernet", core::Error{report.error().code,
                                                               "nothing was imported: " + report.error().message, {}});
    } else {
      print_summary(global, *report, args.options);
      rc = report->complete(args.options.skip_bad) ? 0 : 1;
      if (rc != 0 && global.json)
        report_failure(global, "import fernet",
                       core::Error::invalid_request(report->imported == 0 ? "nothing was imported"
                                                                          : "not every row was imported"));
    }
  }
  logging::shutdown();
  return rc;
}

}  // namespace

void add_import_commands(CLI::App& app, GlobalOptions& global, int& code) {
  auto* import_cmd = app.add_subcommand("import", "move users and keys in from another system")->require_subcommand(1);
  auto args = std::make_shared<ImportArgs>();
  auto* fernet = import_cmd->add_subcommand(
      "fernet", "import keys sealed with Fernet under PBKDF2-HMAC-SHA256(master secret, per-user salt): all or nothing");
  fernet->add_option("--master-secret-file", args->options.master_secret_file,
                     "file holding the source system's master secret (trailing whitespace is dropped)")
      ->required()
      ->check(CLI::ExistingFile);
  fernet->add_option("--input", args->options.input, "JSON lines: user, provider, name, salt, token, …")
      ->required()
      ->check(CLI::ExistingFile);
  fernet->add_option("--scheme", args->scheme, "per-user-salt (the token is sealed with the user's key) or envelope")
      ->capture_default_str();
  fernet->add_option("--iterations", args->options.iterations, "PBKDF2 iterations for rows that name none")
      ->capture_default_str()
      ->check(CLI::Range(1u, 10'000'000u));
  fernet->add_flag("--dry-run", args->options.dry_run, "check every row, write nothing");
  fernet->add_flag("--skip-bad", args->options.skip_bad, "import the good rows and leave the bad ones out");
  fernet->callback([&global, &code, args] { code = run_import(global, *args); });
}

}  // namespace keyrelay::cli
