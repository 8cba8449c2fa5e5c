#pragma once
// The master-key commands as the rotation tests drive them: `keyrelay master-key status --json`
// read into a struct (after checking its API.md shape, plus the live servers), `master-key rotate
// --timeout 60s --json` and `retire V` run against a vault's data dir while its server keeps serving.
// docs/decisions.md "Master keyring states and rotation"; API.md "Command line".

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "support/keyrelay_command.h"
#include "vault_harness.h"

namespace keyrelay::test {

// How long a rotation waits for the running servers to acknowledge each keyring change. They
// re-read the keyring file every 2 s (unless a test sets KEYRELAY_KEYRING_RELOAD_INTERVAL), so a
// rotation normally takes a few seconds; the timeout only bounds a failure.
inline constexpr std::string_view kRotateTimeout = "60s";

struct MasterKeyVersion {
  std::int64_t version = 0;
  std::string state;  // pending | active | retired
  std::int64_t rows = 0;
  bool retired = false;
};

// A running server as `master-key status` lists it.
struct MasterKeyNode {
  std::string id;  // node-<12 hex>
  std::int64_t pid = 0;
  std::string hostname;
  std::vector<std::int64_t> loaded_versions;
  std::int64_t active_version = 0;
};

struct MasterKeyStatus {
  std::int64_t active = 0;
  std::vector<MasterKeyVersion> versions;
  std::vector<MasterKeyNode> nodes;  // the live servers
  std::string text;  // what the command printed, for failure messages

  // The entry for `version`; throws when the status lists no such version.
  const MasterKeyVersion& at(std::int64_t version) const;
  // Key rows sealed under `version` (0 when the version is not listed).
  std::int64_t rows_on(std::int64_t version) const;
  std::int64_t total_rows() const;
};

// `master-key status --json` in the environment `env` (KEYRELAY_DATA_DIR …). Throws unless it
// exits 0 and prints exactly {"active","versions":[{"version","state","rows","retired"}],"nodes":[{"id",
// "pid","hostname","started_at","heartbeat_at","loaded_versions","active_version"}]} with those types.
MasterKeyStatus master_key_status(const Environment& env);
inline MasterKeyStatus master_key_status(const VaultServer& vault) {
  return master_key_status(vault.cli_env());
}

// `master-key rotate --timeout 60s --json` (or `timeout`), and its report when it printed one.
struct RotateOutcome {
  CommandResult command;
  boost::json::object report;      // {"from_version","to_version","rewrapped","failed","acknowledged_by"}; empty on failure
  std::set<std::string> failed;    // report.failed as a set
  std::size_t failed_entries = 0;  // report.failed's length (to see duplicates)
  std::set<std::string> acknowledged_by;  // report.acknowledged_by as a set
};
RotateOutcome rotate_master_key(const VaultServer& vault, std::string_view timeout = kRotateTimeout);

// The report of a successful rotation has exactly its five fields, each of its type.
::testing::AssertionResult is_rotate_report(const boost::json::object& report);

}  // namespace keyrelay::test
