#include "cli/master_key_rotation.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "audit/audit_key.h"
#include "audit/event_builder.h"
#include "catalog/catalog.h"
#include "core/duration.h"
#include "logging/log.h"
#include "vault/key_service.h"
#include "vault/master_key_rules.h"
#include "vault/rewrapper.h"

namespace keyrelay::cli {
namespace {

namespace fs = std::filesystem;
using core::Error;
using core::Result;
using NodeList = std::vector<store::NodeRecord>;

store::AuditEvent master_key_event(AppContext& app, std::string_view action, boost::json::object details) {
  store::AuditEvent e =
      audit::new_event(app.clock, app.mgmt_chain, std::string(action), store::Outcome::success, audit::Actor::cli());
  e.details_json = boost::json::serialize(details);
  return e;
}

// Writes `next` to the keyring file and makes it this command's keyring too.
Result<void> use_keyring(AppContext& app, const fs::path& file, std::shared_ptr<const crypto::Keyring> next) {
  if (auto r = next->save_replacing(file); !r) return r.error();
  app.keyring = std::move(next);
  app.envelope->replace_keyring(app.keyring);
  app.sealer->replace_keyring(app.keyring);
  return core::ok();
}

std::optional<std::uint32_t> pending_version(const crypto::Keyring& keyring) {
  for (const auto& v : keyring.versions())
    if (v.state == crypto::KeyVersionInfo::State::pending) return v.version;
  return std::nullopt;
}

struct WaitOutcome {
  NodeList missing;  // live servers still waited for when the wait ended; empty: none
};

// Reads the live servers every `poll` until `still_waiting(live)` is empty or `timeout` passed.
Result<WaitOutcome> wait_for_nodes(AppContext& app, const RotateOptions& options,
                                   const std::function<NodeList(const NodeList&)>& still_waiting) {
  const auto deadline = app.clock.steady_now() + options.timeout;
  for (;;) {
    auto live = app.store->live_nodes(app.clock.now());
    if (!live) return live.error();
    auto missing = still_waiting(*live);
    const auto now = app.clock.steady_now();
    if (missing.empty() || now >= deadline) return WaitOutcome{std::move(missing)};
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(options.poll, deadline - now));
  }
}

boost::json::array json_ids(const std::vector<std::string>& ids) {
  boost::json::array out;
  for (const auto& id : ids) out.emplace_back(id);
  return out;
}

// Puts the keyring back as it was before this run added pending version `added`, unless a key
// got sealed under it meanwhile (a concurrent rotation): then the pending version stays.
void put_back(AppContext& app, const fs::path& file, const std::shared_ptr<const crypto::Keyring>& original,
              std::uint32_t added) {
  auto rows = app.store->rows_by_master_version();
  if (!rows || (rows->contains(added) && rows->at(added) > 0)) {
    logging::warn("the pending master key version stays in the keyring", {{"version", added}});
    return;
  }
  if (auto r = use_keyring(app, file, original); !r)
    logging::error("could not put the keyring back as it was", {{"error", r.error().message}});
}

// Step 5: every key re-wrapped under `to`, opened in full on the way (a tampered one is disabled).
Result<void> rewrap_all(AppContext& app, std::uint32_t to, RotationReport& report) {
  auto catalog = catalog::Catalog::builtin();
  if (!catalog) return catalog.error();
  vault::KeyService keys(*app.store, *app.store, *app.store, *app.envelope,
                         std::make_shared<const catalog::Catalog>(std::move(*catalog)), app.clock, app.mgmt_chain);
  vault::Rewrapper rewrapper(*app.store, *app.store, *app.store, *app.envelope, keys);
  auto done = rewrapper.run(audit::Actor::cli(), to);
  if (!done) return done.error();
  report.rewrapped = done->rewrapped;
  report.failed_key_ids = std::move(done->failed_key_ids);
  return core::ok();
}

}  // namespace

Result<RotationReport> rotate_master_key(AppContext& app, const fs::path& file, const RotateOptions& options) {
  RotationReport report;
  report.from_version = app.keyring->active_version();
  const auto original = app.keyring;

  // 1. A pending version: a new one, or the one an interrupted rotation left.
  bool added = false;
  if (auto left = pending_version(*app.keyring)) {
    report.to_version = *left;
  } else {
    auto pending = app.keyring->with_new_pending_version(app.clock.now());
    if (!pending) return pending.error();
    report.to_version = pending->versions().back().version;
    if (auto r = use_keyring(app, file, std::make_shared<const crypto::Keyring>(std::move(*pending))); !r)
      return r.error();
    added = true;
  }
  const std::uint32_t to = report.to_version;
  const auto undo = [&] {
    if (added) put_back(app, file, original, to);
  };

  // 2. Every live server loads it (its next keyring check, or SIGHUP).
  auto loaded = wait_for_nodes(app, options, [to](const NodeList& live) { return vault::nodes_without_version(live, to); });
  if (!loaded) {
    undo();
    return loaded.error();
  }
  if (!loaded->missing.empty()) {
    undo();
    return Error::unavailable("timed out after " + core::format_duration(options.timeout) +
                              " waiting for running servers to load master key version " + std::to_string(to) + ": " +
                              vault::describe_nodes(loaded->missing) +
                              (added ? "; nothing was changed" : "; it stays pending"));
  }

  // 3. It becomes the sealing version: checked again and audited in one transaction, then the file.
  auto recorded = app.store->record_master_key_change(
      app.clock.now(), [&](const store::MasterKeyFacts& facts) -> Result<store::AuditEvent> {
        if (auto missing = vault::nodes_without_version(facts.live_nodes, to); !missing.empty())
          return Error::unavailable("servers started meanwhile without master key version " + std::to_string(to) +
                                    ": " + vault::describe_nodes(missing) + "; nothing was changed");
        report.acknowledged_by.clear();
        for (const auto& node : facts.live_nodes) report.acknowledged_by.push_back(node.id);
        return master_key_event(app, "master_key.rotated",
                                {{"from_version", report.from_version},
                                 {"to_version", to},
                                 {"acknowledged_by", json_ids(report.acknowledged_by)}});
      });
  if (!recorded) {
    undo();
    return recorded.error();
  }
  auto activated = app.keyring->with_activated(to);
  if (!activated) return activated.error();
  if (auto r = use_keyring(app, file, std::make_shared<const crypto::Keyring>(std::move(*activated))); !r)
    return Error::unavailable("master_key.rotated is recorded, but the keyring file could not be written (" +
                              r.error().message + "); version " + std::to_string(to) +
                              " is still pending: run `keyrelay master-key rotate` again");

  // 4. Every live server seals with it, so none adds keys under the old version behind the
  // re-wrap. One that does not in time is reported: its new keys stay on the old version, which
  // `retire` then refuses to drop until a later rotation moved them.
  auto sealing = wait_for_nodes(app, options, [to](const NodeList& live) { return vault::nodes_not_sealing_with(live, to); });
  if (!sealing) return sealing.error();
  report.lagging = std::move(sealing->missing);

  // 5. Every key under the new version.
  if (auto r = rewrap_all(app, to, report); !r) return r.error();
  return report;
}

Result<void> retire_master_version(AppContext& app, const fs::path& file, std::uint32_t version) {
  std::shared_ptr<const crypto::Keyring> retired;
  auto recorded = app.store->record_master_key_change(
      app.clock.now(), [&](const store::MasterKeyFacts& facts) -> Result<store::AuditEvent> {
        if (auto allowed = vault::check_retirable(version, facts); !allowed) return allowed.error();
        // Only its audit key stays, so the audit rows it sealed still verify.
        auto audit_key = audit::derive_audit_key(*app.keyring, version);
        if (!audit_key) return audit_key.error();
        auto next = app.keyring->with_retired(version, audit_key->reveal());
        if (!next) return next.error();
        retired = std::make_shared<const crypto::Keyring>(std::move(*next));
        return master_key_event(app, "master_key.retired", {{"version", version}});
      });
  if (!recorded) return recorded.error();
  if (auto r = use_keyring(app, file, retired); !r)
    return Error::unavailable("master_key.retired is recorded, but the keyring file could not be written (" +
                              r.error().message + "); version " + std::to_string(version) +
                              " is still in it, unused: run `keyrelay master-key retire " + std::to_string(version) +
                              "` again");
  return core::ok();
}

}  // namespace keyrelay::cli
