#pragma once
// The master-key commands as the rotation tests drive them: `keyrelay master-key status --json`
// read into a struct (after checking its API.md shape), `master-key rotate --wait 2500ms --json`
// and `retire V` run against a vault's data dir while its server keeps serving.
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

// Servers re-read the keyring file every 2 s; a rotation gives them a little more than that for
// each of its two keyring changes, so a whole rotation takes about 5 s.
inline constexpr std::string_view kRotateWait = "2500ms";

struct MasterKeyVersion {
  std::int64_t version = 0;
  std::string state;  // pending | active | retired
  std::int64_t rows = 0;
  bool retired = false;
};

struct MasterKeyStatus {
  std::int64_t active = 0;
  std::vector<MasterKeyVersion> versions;
  std::string text;  // what the command printed, for failure messages

  // The entry for `version`; throws when the status lists no such version.
  const MasterKeyVersion& at(std::int64_t version) const;
  // Key rows sealed under `version` (0 when the version is not listed).
  std::int64_t rows_on(std::int64_t version) const;
  std::int64_t total_rows() const;
};

// `master-key status --json` in the environment `env` (KEYRELAY_DATA_DIR …). Throws unless it
// exits 0 and prints exactly {"active","versions":[{"version","state","rows","retired"}]} with
// those types.
MasterKeyStatus master_key_status(const Environment& env);
inline MasterKeyStatus master_key_status(const VaultServer& vault) {
  return master_key_status({{"KEYRELAY_DATA_DIR", vault.data_dir().string()}});
}

// `master-key rotate --wait 2500ms --json`, and its report when it printed one.
struct RotateOutcome {
  CommandResult command;
  boost::json::object report;      // {"from_version","to_version","rewrapped","failed"}; empty on failure
  std::set<std::string> failed;    // report.failed as a set
  std::size_t failed_entries = 0;  // report.failed's length (to see duplicates)
};
RotateOutcome rotate_master_key(const VaultServer& vault);

// The report of a successful rotation has exactly its four fields, each of its type.
::testing::AssertionResult is_rotate_report(const boost::json::object& report);

}  // namespace keyrelay::test
