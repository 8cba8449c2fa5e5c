#pragma once
// Verification of the audit hash chains (`keyrelay audit verify`).
//
// For every chain, events are read in ascending seq and each one is checked, in this order:
//   - seq is the previous seq + 1, starting at 1. A larger seq means rows are missing (deleted):
//     "missing event before seq N" on the first event after the gap; a smaller or repeated seq:
//     "sequence broken";
//   - its master version is in the keyring: "master key version N is not in the keyring";
//   - its hash equals chain_link(audit_key[master_version], previous row's hash, seq,
//     canonical_event(row)): "hash mismatch" for an edited, inserted, swapped or copied row.
// A pruned chain starts from its checkpoint (ARCHITECTURE.md "Audit"): the checkpoint's MAC must
// verify under the audit key of its master version ("checkpoint mismatch" otherwise — forged,
// edited, replayed from an older prune, or copied from another chain), and the first remaining
// event must be seq checkpoint.seq + 1, linked to checkpoint.hash.
// Only the first bad event of a chain is reported; later events are counted but not checked,
// since every later link depends on it. Rows removed from the end of a chain leave a valid
// shorter chain: a hash chain alone cannot tell them from rows never written.
//
// Reasons are short, stable strings (scripts may match them).

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/secret.h"
#include "crypto/keyring.h"
#include "store/records.h"
#include "store/audit_chain_store.h"

namespace keyrelay::audit {

inline constexpr std::string_view kReasonHashMismatch = "hash mismatch";
inline constexpr std::string_view kReasonSequenceBroken = "sequence broken";
inline constexpr std::string_view kReasonCheckpointMismatch = "checkpoint mismatch";
// "missing event before seq N".
std::string missing_event_reason(std::int64_t seq);

struct BadEvent {
  std::string id;
  std::int64_t seq = 0;
  std::string reason;

  bool operator==(const BadEvent&) const = default;
};

struct ChainReport {
  std::string chain;
  std::int64_t events = 0;           // every event read, including those after the first bad one
  std::optional<BadEvent> first_bad; // nullopt when the chain verifies
  std::int64_t pruned = 0;           // events pruned before the checkpoint the chain starts from
};

struct VerifyReport {
  bool ok = true;  // true when no chain has a bad event (also when there are no chains)
  std::vector<ChainReport> chains;
};

// ChainVerifier: checks the events of one chain after the other as they are read, in batches of
// any size, then moves on to the next chain with start(). Audit keys are derived once per master
// version and kept (wiped on destruction) across chains.
// Not thread-safe. Borrows `keyring`, which must outlive this.
class ChainVerifier {
 public:
  explicit ChainVerifier(const crypto::Keyring& keyring) : keyring_(keyring) {}
  ChainVerifier(const ChainVerifier&) = delete;
  ChainVerifier& operator=(const ChainVerifier&) = delete;

  // Begins the chain named `chain` (the report of the previous one is discarded), from its
  // pruning checkpoint when it has one. Errc::internal only if an audit key cannot be derived.
  core::Result<void> start(std::string chain, const std::optional<store::AuditCheckpoint>& checkpoint = std::nullopt);
  // Checks `event`, the next one of the chain in ascending seq. Errc::internal only if an audit
  // key cannot be derived; a bad event is not an error, it is recorded in the report.
  core::Result<void> add(const store::AuditEvent& event);
  bool has_failed() const noexcept { return report_.first_bad.has_value(); }
  // The report of the current chain so far.
  const ChainReport& report() const noexcept { return report_; }

 private:
  void fail(const store::AuditEvent& event, std::string reason);
  // The audit key of `version`; nullptr (after recording `fail_as`'s failure) when the keyring lacks it.
  core::Result<const core::Secret*> key_for(std::uint32_t version);

  const crypto::Keyring& keyring_;
  std::map<std::uint32_t, core::Secret> keys_;  // audit key per master version
  ChainReport report_;
  std::int64_t next_seq_ = 1;
  core::Bytes prev_hash_;
};

// Verifies one chain given as its events in the order read. Errors as ChainVerifier::add.
core::Result<ChainReport> verify_chain(std::string chain, std::span<const store::AuditEvent> events,
                                       const crypto::Keyring& keyring);

// Verifies every chain of `store` (AuditChainStore::audit_chains order), reading `batch_size`
// (>= 1) events at a time. Errors: those of the store's reads (unavailable, internal) and
// Errc::internal if an audit key cannot be derived. Bad events are not errors: they are in the report.
core::Result<VerifyReport> verify_audit(store::AuditChainStore& store, const crypto::Keyring& keyring,
                                        std::size_t batch_size = 1000);

}  // namespace keyrelay::audit
