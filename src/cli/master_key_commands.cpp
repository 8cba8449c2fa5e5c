// `keyrelay master-key status | rotate | retire VERSION`: rotation of the master keyring while
// servers keep serving (ARCHITECTURE.md, "Rotation without a failed request").
//
// rotate: append version v+1 as pending and save the keyring file; wait until servers have loaded
// it (they re-read the file every couple of seconds and on SIGHUP); make v+1 the sealing version;
// wait again so every server seals with it; then re-wrap every key's data key under v+1 in batches.
// A server that meets a key sealed under a version it does not know reloads once before failing,
// so no request fails while the file propagates. retire: once no key uses a version, drop that
// master key from the file, keeping only its derived audit key so old audit rows still verify.

#include <CLI/CLI.hpp>

#include <iostream>
#include <thread>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "audit/audit_key.h"
#include "catalog/catalog.h"
#include "cli/app_context.h"
#include "cli/commands.h"
#include "cli/keyring_reloader.h"
#include "core/duration.h"
#include "logging/log.h"
#include "vault/key_service.h"
#include "vault/rewrapper.h"

namespace keyrelay::cli {
namespace {

// Servers re-read the keyring file at least this often (cli/maintenance.cpp).
constexpr std::chrono::milliseconds kServerReloadInterval{2000};

struct MasterKeyArgs {
  std::string wait = "5s";  // twice the reload interval, plus margin
  std::uint32_t version = 0;
};

core::Result<std::filesystem::path> rotatable_file(const AppContext& app) {
  auto file = keyring_file_of(app.config);
  if (!file)
    return core::Error::invalid_request(
        "a single KEYRELAY_MASTER_KEY cannot be rotated: move to a keyring file (KEYRELAY_KEYRING_FILE)");
  return *file;
}

core::Result<std::map<std::uint32_t, std::int64_t>> key_rows(AppContext& app) { return app.store->rows_by_master_version(); }

void audit_rotation(AppContext& app, std::string_view action, boost::json::object details) {
  vault::Caller cli;
  cli.kind = store::ActorKind::cli;
  store::AuditEvent e = vault::audit_event(cli, app.clock, app.mgmt_chain, action);
  e.details_json = boost::json::serialize(details);
  std::vector<store::AuditEvent> events;
  events.push_back(std::move(e));
  if (auto r = app.store->append_audit(std::move(events)); !r)
    logging::error("could not audit the master-key change", {{"error", r.error().message}});
}

core::Result<void> status(AppContext& app, const GlobalOptions& global) {
  auto rows = key_rows(app);
  if (!rows) return rows.error();
  boost::json::array versions;
  for (const auto& v : app.keyring->versions()) {
    const auto it = rows->find(v.version);
    const std::int64_t count = it == rows->end() ? 0 : it->second;
    versions.push_back(boost::json::object{{"version", v.version},
                                           {"state", crypto::state_name(v.state)},
                                           {"rows", count},
                                           {"retired", v.state == crypto::KeyVersionInfo::State::retired}});
    if (!global.json)
      std::cout << "version " << v.version << (v.version == app.keyring->active_version() ? " (sealing)" : "") << ": "
                << crypto::state_name(v.state) << ", " << count << " keys\n";
  }
  if (global.json)
    std::cout << boost::json::serialize(boost::json::object{{"active", app.keyring->active_version()},
                                                            {"versions", std::move(versions)}})
              << "\n";
  return core::ok();
}

core::Result<void> save_and_use(AppContext& app, const std::filesystem::path& file, crypto::Keyring&& next) {
  if (auto r = next.save_replacing(file); !r) return r.error();
  app.keyring = std::make_shared<const crypto::Keyring>(std::move(next));
  app.envelope->replace_keyring(app.keyring);
  app.sealer->replace_keyring(app.keyring);
  return core::ok();
}

core::Result<void> rotate(AppContext& app, const GlobalOptions& global, const MasterKeyArgs& args) {
  auto file = rotatable_file(app);
  if (!file) return file.error();
  auto wait = core::parse_duration(args.wait);
  if (!wait) return core::Error::invalid_request("--wait must be a duration such as 5s");
  const std::uint32_t from = app.keyring->active_version();

  // 1. A pending version (reuse one left by an interrupted rotation).
  std::uint32_t to = 0;
  for (const auto& v : app.keyring->versions())
    if (v.state == crypto::KeyVersionInfo::State::pending) to = v.version;
  if (to == 0) {
    auto pending = app.keyring->with_new_pending_version(app.clock.now());
    if (!pending) return pending.error();
    to = pending->versions().back().version;
    if (auto r = save_and_use(app, *file, std::move(*pending)); !r) return r;
    if (!global.json) std::cout << "added master key version " << to << " (pending); waiting for servers to load it\n";
    std::this_thread::sleep_for(*wait);
  }

  // 2. Seal with it, and let every server pick that up before re-wrapping.
  auto activated = app.keyring->with_activated(to);
  if (!activated) return activated.error();
  if (auto r = save_and_use(app, *file, std::move(*activated)); !r) return r;
  if (!global.json) std::cout << "version " << to << " now seals new keys; waiting for servers\n";
  std::this_thread::sleep_for(*wait);

  // 3. Re-wrap every key under the new version.
  auto catalog = catalog::Catalog::builtin();
  if (!catalog) return catalog.error();
  vault::KeyService keys(*app.store, *app.envelope, std::make_shared<const catalog::Catalog>(std::move(*catalog)),
                         app.clock, app.mgmt_chain);
  vault::Caller caller;
  caller.kind = store::ActorKind::cli;
  vault::Rewrapper rewrapper(*app.store, *app.envelope, keys);
  auto report = rewrapper.run(caller, to);
  if (!report) return report.error();

  boost::json::array failed;
  for (const auto& id : report->failed_key_ids) failed.emplace_back(id);
  audit_rotation(app, "master_key.rotated",
                 {{"from_version", from}, {"to_version", to}, {"rewrapped", report->rewrapped}, {"failed", failed}});
  if (global.json) {
    std::cout << boost::json::serialize(boost::json::object{
                     {"from_version", from}, {"to_version", to}, {"rewrapped", report->rewrapped}, {"failed", failed}})
              << "\n";
  } else {
    std::cout << "re-wrapped " << report->rewrapped << " keys under version " << to << "\n";
    for (const auto& id : report->failed_key_ids)
      std::cout << "key " << id << " failed its integrity check and was disabled; rotate or delete it\n";
  }
  return core::ok();
}

core::Result<void> retire(AppContext& app, const GlobalOptions& global, std::uint32_t version) {
  auto file = rotatable_file(app);
  if (!file) return file.error();
  auto rows = key_rows(app);
  if (!rows) return rows.error();
  if (auto it = rows->find(version); it != rows->end() && it->second > 0)
    return core::Error::conflict(std::to_string(it->second) + " keys still use master key version " +
                                 std::to_string(version) + "; run `keyrelay master-key rotate` first");
  auto audit_key = audit::derive_audit_key(*app.keyring, version);
  if (!audit_key) return audit_key.error();
  auto retired = app.keyring->with_retired(version, audit_key->reveal());
  if (!retired) return retired.error();
  if (auto r = save_and_use(app, *file, std::move(*retired)); !r) return r;
  audit_rotation(app, "master_key.retired", {{"version", version}});
  if (global.json) std::cout << boost::json::serialize(boost::json::object{{"retired", version}}) << "\n";
  else std::cout << "master key version " << version << " is retired\n";
  return core::ok();
}

}  // namespace

void add_master_key_commands(CLI::App& app, GlobalOptions& global, int& code) {
  auto args = std::make_shared<MasterKeyArgs>();
  auto* mk = app.add_subcommand("master-key", "rotate and retire master keys (works while servers run)")
                 ->require_subcommand(1);
  auto run = [&global, &code](std::string_view name, auto body) {
    code = [&] {
      logging::init(logging::Level::warn, logging::Format::text);
      auto opened = open_app(global, "cli", KeyringPolicy::existing_only);
      int rc = 0;
      if (!opened) rc = report_failure(global, name, opened.error());
      else if (auto r = body(**opened); !r) rc = report_failure(global, name, r.error());
      logging::shutdown();
      return rc;
    }();
  };
  mk->add_subcommand("status", "versions, their state and how many keys each seals")->callback([&global, run] {
    run("master-key status", [&](AppContext& a) { return status(a, global); });
  });
  auto* rotate_cmd = mk->add_subcommand("rotate", "add a new master key version and re-wrap every key under it");
  rotate_cmd->add_option("--wait", args->wait, "how long servers get to load each keyring change")->capture_default_str();
  rotate_cmd->callback([&global, run, args] {
    run("master-key rotate", [&](AppContext& a) { return rotate(a, global, *args); });
  });
  auto* retire_cmd = mk->add_subcommand("retire", "drop a master key version that no key uses any more");
  retire_cmd->add_option("VERSION", args->version, "the version to retire")->required();
  retire_cmd->callback([&global, run, args] {
    run("master-key retire", [&](AppContext& a) { return retire(a, global, args->version); });
  });
}

}  // namespace keyrelay::cli
