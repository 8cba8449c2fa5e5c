// `keyrelay master-key status | rotate | retire VERSION`: rotation of the master keyring while
// servers keep serving (ARCHITECTURE.md, "Rotation without a failed request"). The steps are in
// cli/master_key_rotation.h; this file parses the command line and prints.

#include <CLI/CLI.hpp>

#include <iostream>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "cli/app_context.h"
#include "cli/commands.h"
#include "cli/keyring_reloader.h"
#include "cli/master_key_rotation.h"
#include "core/duration.h"
#include "core/time_format.h"
#include "logging/log.h"
#include "vault/master_key_rules.h"

namespace keyrelay::cli {
namespace {

struct MasterKeyArgs {
  std::string timeout = "60s";  // for each wait on the running servers
  std::uint32_t version = 0;
};

core::Result<std::filesystem::path> rotatable_file(const AppContext& app) {
  auto file = keyring_file_of(app.config);
  if (!file)
    return core::Error::invalid_request(
        "a single KEYRELAY_MASTER_KEY cannot be rotated: move to a keyring file (KEYRELAY_KEYRING_FILE)");
  return *file;
}

std::string versions_text(const std::vector<std::uint32_t>& versions) {
  std::string text;
  for (const auto v : versions) text += (text.empty() ? "" : ",") + std::to_string(v);
  return text;
}

boost::json::object node_json(const store::NodeRecord& node) {
  boost::json::array loaded;
  for (const auto v : node.loaded_versions) loaded.emplace_back(v);
  return {{"id", node.id},
          {"pid", node.pid},
          {"hostname", node.hostname},
          {"started_at", core::format_rfc3339(node.started_at)},
          {"heartbeat_at", core::format_rfc3339(node.heartbeat_at)},
          {"loaded_versions", std::move(loaded)},
          {"active_version", node.active_version}};
}

core::Result<void> status(AppContext& app, const GlobalOptions& global) {
  auto rows = app.store->rows_by_master_version();
  if (!rows) return rows.error();
  auto nodes = app.store->live_nodes(app.clock.now());
  if (!nodes) return nodes.error();
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
  boost::json::array live;
  for (const auto& node : *nodes) {
    live.push_back(node_json(node));
    if (!global.json)
      std::cout << "server " << node.id << " on " << node.hostname << " (pid " << node.pid << "): holds versions "
                << versions_text(node.loaded_versions) << ", seals with " << node.active_version
                << ", last heartbeat " << core::format_rfc3339(node.heartbeat_at) << "\n";
  }
  if (global.json)
    std::cout << boost::json::serialize(boost::json::object{{"active", app.keyring->active_version()},
                                                            {"versions", std::move(versions)},
                                                            {"nodes", std::move(live)}})
              << "\n";
  return core::ok();
}

core::Result<void> rotate(AppContext& app, const GlobalOptions& global, const MasterKeyArgs& args) {
  auto file = rotatable_file(app);
  if (!file) return file.error();
  auto timeout = core::parse_duration(args.timeout);
  if (!timeout) return core::Error::invalid_request("--timeout must be a duration such as 60s");
  if (!global.json)
    std::cout << "adding a master key version; waiting for the running servers to load it\n" << std::flush;
  auto report = rotate_master_key(app, *file, {.timeout = *timeout, .poll = std::chrono::milliseconds(100)});
  if (!report) return report.error();
  if (!report->lagging.empty())
    std::cerr << "warning: these servers did not report sealing with master key version " << report->to_version
              << " within " << args.timeout << ": " << vault::describe_nodes(report->lagging)
              << "; keys they store meanwhile stay on version " << report->from_version
              << " until the next rotation\n";

  boost::json::array failed;
  for (const auto& id : report->failed_key_ids) failed.emplace_back(id);
  boost::json::array acknowledged;
  for (const auto& id : report->acknowledged_by) acknowledged.emplace_back(id);
  if (global.json) {
    std::cout << boost::json::serialize(boost::json::object{{"from_version", report->from_version},
                                                            {"to_version", report->to_version},
                                                            {"rewrapped", report->rewrapped},
                                                            {"failed", failed},
                                                            {"acknowledged_by", acknowledged}})
              << "\n";
  } else {
    std::cout << "version " << report->to_version << " seals new keys (loaded by " << report->acknowledged_by.size()
              << " running servers); re-wrapped " << report->rewrapped << " keys under it\n";
    for (const auto& id : report->failed_key_ids)
      std::cout << "key " << id << " failed its integrity check and was disabled; rotate or delete it\n";
  }
  return core::ok();
}

core::Result<void> retire(AppContext& app, const GlobalOptions& global, std::uint32_t version) {
  auto file = rotatable_file(app);
  if (!file) return file.error();
  if (auto r = retire_master_version(app, *file, version); !r) return r;
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
  mk->add_subcommand("status", "versions, their state, how many keys each seals, and the running servers")->callback([&global, run] {
    run("master-key status", [&](AppContext& a) { return status(a, global); });
  });
  auto* rotate_cmd = mk->add_subcommand("rotate", "add a new master key version and re-wrap every key under it");
  rotate_cmd
      ->add_option("--timeout,--wait", args->timeout,
                   "how long the running servers get to acknowledge each keyring change")
      ->capture_default_str();
  rotate_cmd->callback([&global, run, args] {
    run("master-key rotate", [&](AppContext& a) { return rotate(a, global, *args); });
  });
  auto* retire_cmd = mk->add_subcommand("retire", "drop a master key version that no key and no running server uses any more");
  retire_cmd->add_option("VERSION", args->version, "the version to retire")->required();
  retire_cmd->callback([&global, run, args] {
    run("master-key retire", [&](AppContext& a) { return retire(a, global, args->version); });
  });
}

}  // namespace keyrelay::cli
