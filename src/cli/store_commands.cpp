// `keyrelay store copy --from sqlite:///… --to postgres://…`: moving a single node's store up to
// PostgreSQL (store/store_copy.h). Both stores are migrated to this version's schema first; the
// copy itself runs in one transaction of the target and refuses a target that holds any row.
// Needs no keyring: rows travel sealed, byte for byte.

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>

#include <boost/json/serialize.hpp>

#include "cli/app_context.h"
#include "cli/commands.h"
#include "config/config.h"
#include "logging/log.h"
#include "store/open_store.h"

namespace keyrelay::cli {
namespace {

struct CopyArgs {
  std::string from;
  std::string to;
};

// Opens the store `url` names and brings it to this version's schema; its schema version.
core::Result<int> migrated_version(std::string_view url, const std::filesystem::path& data_dir, std::string_view which) {
  static const store::NoChainSealing kNoSealing;
  auto store = store::open_store(url, data_dir, kNoSealing);
  if (!store) return core::Error{store.error().code, std::string(which) + ": " + store.error().message, {}};
  if (auto migrated = (*store)->migrate(); !migrated)
    return core::Error{migrated.error().code, std::string(which) + ": " + migrated.error().message, {}};
  return (*store)->schema_version();
}

core::Result<store::CopyReport> copy(const CopyArgs& args, const std::filesystem::path& data_dir) {
  // The way up from SQLite to PostgreSQL; other moves have their own tools (README "Backup and restore").
  if (store::is_postgres_database_url(args.from))
    return core::Error::invalid_request("store copy reads SQLite stores (sqlite:///path/file.db); to move a "
                                        "PostgreSQL store, use keyrelay backup and keyrelay restore");
  if (!store::is_postgres_database_url(args.to))
    return core::Error::invalid_request("store copy writes to PostgreSQL (postgres://…); to move a store into "
                                        "SQLite, use keyrelay backup and keyrelay restore");
  if (args.from.starts_with("sqlite://")) {
    // A copy never creates its source: a mistyped path must not become a new, empty database.
    auto source = store::open_copy_source(args.from, data_dir);
    if (!source) return source.error();
  }
  auto target = store::open_copy_target(args.to, data_dir);
  if (!target) return target.error();
  auto from_version = migrated_version(args.from, data_dir, "--from");
  if (!from_version) return from_version.error();
  auto to_version = migrated_version(args.to, data_dir, "--to");
  if (!to_version) return to_version.error();
  if (*from_version != *to_version)
    return core::Error::invalid_request("the two stores are on schema versions " + std::to_string(*from_version) +
                                        " and " + std::to_string(*to_version));
  auto source = store::open_copy_source(args.from, data_dir);
  if (!source) return source.error();
  return store::copy_store(**source, **target);
}

int run_copy(const GlobalOptions& global, const CopyArgs& args) {
  logging::init(logging::Level::warn, logging::Format::text);
  auto config = config::load_config(global.config_file, config::process_environment());
  core::Result<store::CopyReport> report =
      config ? copy(args, config->data_dir) : core::Result<store::CopyReport>(config.error());
  int rc = 0;
  if (!report) {
    rc = report_failure(global, "store copy", report.error());
  } else if (global.json) {
    boost::json::object tables;
    for (const auto& [table, rows] : report->rows) tables[table] = rows;
    std::cout << boost::json::serialize(boost::json::object{{"rows", report->total()}, {"tables", tables}}) << "\n";
  } else {
    std::cout << "copied " << report->total() << " rows:";
    for (const auto& [table, rows] : report->rows) std::cout << " " << table << " " << rows << ";";
    std::cout << "\nthe target serves as soon as the nodes point KEYRELAY_DATABASE_URL at it (same keyring)\n";
  }
  logging::shutdown();
  return rc;
}

}  // namespace

void add_store_commands(CLI::App& app, GlobalOptions& global, int& code) {
  auto* store_cmd = app.add_subcommand("store", "move a store to another database")->require_subcommand(1);
  auto args = std::make_shared<CopyArgs>();
  auto* copy_cmd = store_cmd->add_subcommand(
      "copy", "copy every row of a SQLite store into an empty PostgreSQL database, in one transaction");
  copy_cmd->add_option("--from", args->from, "the source: sqlite:///path/keyrelay.db")->required();
  copy_cmd->add_option("--to", args->to, "the empty target: postgres://user:password@host:port/database")->required();
  copy_cmd->callback([&global, &code, args] { code = run_copy(global, *args); });
}

}  // namespace keyrelay::cli
