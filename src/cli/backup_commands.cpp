// `keyrelay backup FILE`, `keyrelay backup verify FILE` and `keyrelay restore FILE`: sealed
// backups of the whole store (src/backup/, docs/backup-format.md). They run beside live servers:
// a backup reads one snapshot, a restore fills an empty store in one transaction. All three need
// the keyring (a backup's rows are sealed under it); --passphrase-file seals the file itself with a
// passphrase instead of a key derived from the keyring.

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>

#include <boost/json/serialize.hpp>

#include "backup/backup_check.h"
#include "backup/backup_writer.h"
#include "backup/restore.h"
#include "backup/scratch_dir.h"
#include "cli/app_context.h"
#include "cli/commands.h"
#include "config/config.h"
#include "logging/log.h"
#include "store/open_store.h"

namespace keyrelay::cli {
namespace {

struct BackupArgs {
  std::string file;
  std::string passphrase_file;
};

struct Loaded {
  config::Config config;
  backup::KeyMaterial material;
};

core::Result<Loaded> load(const GlobalOptions& global, const BackupArgs& args) {
  auto config = config::load_config(global.config_file, config::process_environment());
  if (!config) return config.error();
  Loaded out{std::move(*config), {}};
  auto keyring = load_keyring(out.config, KeyringPolicy::existing_only);
  if (!keyring) return keyring.error();
  out.material.keyring = std::move(*keyring);
  if (!args.passphrase_file.empty()) {
    auto passphrase = backup::read_passphrase_file(args.passphrase_file);
    if (!passphrase) return passphrase.error();
    out.material.passphrase = std::move(*passphrase);
  }
  return out;
}

// Runs `body` with logging set up; turns its error into exit code 1 with a message.
template <class F>
int run(const GlobalOptions& global, std::string_view command, F body) {
  logging::init(logging::Level::warn, logging::Format::text);
  auto done = body();
  const int rc = done ? 0 : report_failure(global, command, done.error());
  logging::shutdown();
  return rc;
}

core::Result<void> make_backup(const GlobalOptions& global, const BackupArgs& args) {
  auto loaded = load(global, args);
  if (!loaded) return loaded.error();
  auto source = store::open_copy_source(loaded->config.database_url, loaded->config.data_dir);
  if (!source) return source.error();
  auto key = backup::new_sealing_key(loaded->material);
  if (!key) return key.error();
  const backup::BackupOrigin origin{store::is_postgres_database_url(loaded->config.database_url) ? "postgres" : "sqlite",
                                    KEYRELAY_VERSION, std::chrono::system_clock::now()};
  auto manifest = backup::write_backup(**source, *key, origin, args.file);
  if (!manifest) return manifest.error();
  if (global.json) {
    std::cout << boost::json::serialize(boost::json::object{{"file", args.file},
                                                            {"sealed_with", backup::describe_key_source(key->header)},
                                                            {"manifest", backup::manifest_json(*manifest)}})
              << "\n";
  } else {
    std::cout << "wrote " << args.file << ": " << manifest->total_rows() << " rows, " << manifest->audit_chains.size()
              << " audit chains; sealed with the " << backup::describe_key_source(key->header) << "\n";
  }
  return core::ok();
}

boost::json::object checked_json(const backup::CheckedBackup& c) {
  return {{"sealed_with", backup::describe_key_source(c.read.header)},
          {"chunks", c.read.chunks},
          {"audit", {{"chains", c.audit_chains}, {"events", c.audit_events}, {"verified", true}}},
          {"keys_opened", c.keys_opened},
          {"manifest", backup::manifest_json(c.read.manifest)}};
}

void print_checked_text(const backup::CheckedBackup& c) {
  std::cout << backup::render_manifest_text(c.read.manifest) << "sealed with the "
            << backup::describe_key_source(c.read.header) << "; " << c.read.chunks << " chunks authenticated\n"
            << "rows match the manifest; " << c.audit_chains << " audit chains (" << c.audit_events
            << " events) verify; " << c.keys_opened << " keys open with the keyring\n";
}

core::Result<void> verify_backup(const GlobalOptions& global, const BackupArgs& args) {
  auto loaded = load(global, args);
  if (!loaded) return loaded.error();
  auto scratch = backup::ScratchDir::create();
  if (!scratch) return scratch.error();
  auto checked = backup::check_backup(args.file, loaded->material, scratch->path() / "backup.db");
  if (!checked) return checked.error();
  if (global.json) {
    auto out = checked_json(*checked);
    out["ok"] = true;
    std::cout << boost::json::serialize(out) << "\n";
  } else {
    print_checked_text(*checked);
    std::cout << "the backup is sound\n";
  }
  return core::ok();
}

core::Result<void> restore(const GlobalOptions& global, const BackupArgs& args) {
  auto loaded = load(global, args);
  if (!loaded) return loaded.error();
  auto report = backup::restore_backup(args.file, loaded->material, loaded->config.database_url, loaded->config.data_dir);
  if (!report) return report.error();
  if (global.json) {
    auto out = checked_json(report->checked);
    out["restored_rows"] = report->copied.total();
    std::cout << boost::json::serialize(out) << "\n";
  } else {
    print_checked_text(report->checked);
    std::cout << "restored " << report->copied.total() << " rows; start the servers with this keyring\n";
  }
  return core::ok();
}

}  // namespace

void add_backup_commands(CLI::App& app, GlobalOptions& global, int& code) {
  auto args = std::make_shared<BackupArgs>();
  auto* backup_cmd = app.add_subcommand("backup", "write a sealed backup of the whole store to FILE (servers may run)");
  backup_cmd->add_option("file", args->file, "the backup file to write (FILE.tmp, then renamed; mode 0600)");
  backup_cmd->add_option("--passphrase-file", args->passphrase_file,
                         "seal with the passphrase in this file (scrypt) instead of a key from the keyring");
  auto* verify_cmd = backup_cmd->add_subcommand("verify", "open and check a backup through and through; prints its manifest");
  verify_cmd->add_option("file", args->file, "the backup file")->required();
  verify_cmd->add_option("--passphrase-file", args->passphrase_file, "the backup's passphrase, for a passphrase backup");
  verify_cmd->callback([&global, &code, args] { code = run(global, "backup verify", [&] { return verify_backup(global, *args); }); });
  backup_cmd->callback([&global, &code, args, verify_cmd] {
    if (verify_cmd->parsed()) return;
    if (args->file.empty()) {
      code = report_failure(global, "backup", core::Error::invalid_request("name the backup FILE to write"));
      return;
    }
    code = run(global, "backup", [&] { return make_backup(global, *args); });
  });

  auto* restore_cmd = app.add_subcommand("restore", "restore a backup into an empty data dir or database, in one transaction");
  restore_cmd->add_option("file", args->file, "the backup file")->required();
  restore_cmd->add_option("--passphrase-file", args->passphrase_file, "the backup's passphrase, for a passphrase backup");
  restore_cmd->callback([&global, &code, args] { code = run(global, "restore", [&] { return restore(global, *args); }); });
}

}  // namespace keyrelay::cli
