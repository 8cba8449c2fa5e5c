#include "audit/verifier.h"

#include <utility>

#include "audit/audit_key.h"
#include "audit/canonical.h"
#include "crypto/constant_time.h"

namespace keyrelay::audit {

std::string missing_event_reason(std::int64_t seq) {
  return "missing event before seq " + std::to_string(seq);
}

void ChainVerifier::start(std::string chain) {
  report_ = ChainReport{std::move(chain), 0, std::nullopt};
  next_seq_ = 1;
  prev_hash_.clear();
}

void ChainVerifier::fail(const store::AuditEvent& event, std::string reason) {
  report_.first_bad = BadEvent{event.id, event.seq, std::move(reason)};
}

core::Result<void> ChainVerifier::add(const store::AuditEvent& event) {
  ++report_.events;
  if (has_failed()) return core::ok();

  if (event.seq < next_seq_) {
    fail(event, std::string(kReasonSequenceBroken));
    return core::ok();
  }
  if (event.seq > next_seq_) {
    fail(event, missing_event_reason(event.seq));
    return core::ok();
  }

  auto it = keys_.find(event.master_version);
  if (it == keys_.end()) {
    auto key = derive_audit_key(keyring_, event.master_version);
    if (!key) {
      if (key.error().code != core::Errc::not_found) return key.error();
      fail(event, missing_version_message(event.master_version));
      return core::ok();
    }
    it = keys_.emplace(event.master_version, std::move(*key)).first;
  }

  const auto expected = chain_link(it->second.reveal(), prev_hash_, event.seq, canonical_event(event));
  if (!crypto::constant_time_equal(expected, event.hash)) {
    fail(event, std::string(kReasonHashMismatch));
    return core::ok();
  }
  prev_hash_ = event.hash;
  ++next_seq_;
  return core::ok();
}

core::Result<ChainReport> verify_chain(std::string chain, std::span<const store::AuditEvent> events,
                                       const crypto::Keyring& keyring) {
  ChainVerifier verifier(keyring);
  verifier.start(std::move(chain));
  for (const auto& event : events) {
    if (auto added = verifier.add(event); !added) return added.error();
  }
  return verifier.report();
}

core::Result<VerifyReport> verify_audit(store::Store& store, const crypto::Keyring& keyring,
                                        std::size_t batch_size) {
  if (batch_size == 0) batch_size = 1;
  auto chains = store.audit_chains();
  if (!chains) return chains.error();

  VerifyReport report;
  ChainVerifier verifier(keyring);
  for (auto& chain : *chains) {
    verifier.start(chain);
    std::int64_t after_seq = 0;
    for (;;) {
      auto batch = store.audit_chain_events(chain, after_seq, batch_size);
      if (!batch) return batch.error();
      // The store promises at most `batch_size` events, not exactly that many while more exist,
      // so only an empty batch ends the chain. The seq guard stops a store that ignores
      // after_seq from looping forever.
      if (batch->empty()) break;
      for (const auto& event : *batch) {
        if (auto added = verifier.add(event); !added) return added.error();
      }
      if (batch->back().seq <= after_seq) break;
      after_seq = batch->back().seq;
    }
    if (verifier.has_failed()) report.ok = false;
    report.chains.push_back(verifier.report());
  }
  return report;
}

}  // namespace keyrelay::audit
