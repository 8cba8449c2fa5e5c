#pragma once
// The steps of `keyrelay master-key rotate` and `retire`, run while servers keep serving
// (ARCHITECTURE.md, "Rotation without a failed request"; docs/decisions.md, "Master keyring states
// and rotation"). Servers report the master versions they hold in the store's `nodes` table
// (vault::NodeHeartbeat); these steps wait on those reports instead of sleeping.
//
// rotate: add version v+1 as pending to the keyring file (or take the one an interrupted rotation
// left) → wait until every live server has loaded it (timeout: the keyring is put back as it was,
// nothing else changed) → in one store transaction, check that again and append master_key.rotated →
// make v+1 the sealing version in the file → wait until every live server seals with it (a server
// that does not in time is reported, not waited for) → re-wrap every key under v+1.
//
// retire V: in one store transaction, check that no key is sealed under V and no live server seals
// with it (or holds nothing else), and append master_key.retired → write the keyring file without
// V's master key.
//
// Each store transaction commits before its keyring file is written: a crash (or a failed write) in
// between leaves an event whose change the file does not show yet; the next `rotate` (pending
// version still there) or `retire V` (V still there, unused) completes it. Blocking; one rotation
// at a time.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/app_context.h"
#include "core/result.h"
#include "store/records.h"

namespace keyrelay::cli {

struct RotateOptions {
  std::chrono::milliseconds timeout{60'000};  // for each wait on the servers
  std::chrono::milliseconds poll{100};        // how often the nodes table is read meanwhile
};

struct RotationReport {
  std::uint32_t from_version = 0;
  std::uint32_t to_version = 0;
  std::vector<std::string> acknowledged_by;  // the live servers that had loaded to_version
  std::vector<store::NodeRecord> lagging;    // live servers not sealing with to_version after the timeout
  std::size_t rewrapped = 0;
  std::vector<std::string> failed_key_ids;   // keys whose stored secret failed its integrity check
};

// Rotates the master key of the keyring `file` (app.keyring is its content). Errors: unavailable
// when servers did not load the new version in time (naming them; the keyring is as it was) or
// the keyring file could not be written after the change was recorded (what to run is named);
// the store's and the keyring's errors otherwise.
core::Result<RotationReport> rotate_master_key(AppContext& app, const std::filesystem::path& file,
                                               const RotateOptions& options);

// Retires master version `version` of the keyring `file`. conflict while keys or live servers use
// it; invalid_request for the sealing, a pending or an unknown version.
core::Result<void> retire_master_version(AppContext& app, const std::filesystem::path& file, std::uint32_t version);

}  // namespace keyrelay::cli
