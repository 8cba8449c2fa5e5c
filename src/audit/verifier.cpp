#include "audit/verifier.h"

#include <utility>

#include "audit/audit_key.h"
#include "audit/canonical.h"
#include "crypto/constant_time.h"

namespace keyrelay::audit {

std::string missing_event_reason(std::int64_t seq) {
  return "missing event before seq " + std::to_string(seq);
}

core::Result<const core::Secret*> ChainVerifier::key_for(std::uint32_t version) {
  auto it = keys_.find(version);
  if (it == keys_.end()) {
    auto key = derive_audit_key(keyring_, version);
    if (!key) {
      if (key.error().code != core::Errc::not_found) return key.error();
      return static_cast<const core::Secret*>(nullptr);
    }
    it = keys_.emplace(version, std::move(*key)).first;
  }
  return &it->second;
}

core::Result<void> ChainVerifier::start(std::string chain, const std::optional<store::AuditCheckpoint>& checkpoint) {
  report_ = ChainReport{std::move(chain), 0, std::nullopt, 0};
  next_seq_ = 1;
  prev_hash_.clear();
  if (!checkpoint) return core::ok();
  report_.pruned = checkpoint->count;
  const auto bad_checkpoint = [&](std::string reason) {
    report_.first_bad = BadEvent{"checkpoint", checkpoint->seq, std::move(reason)};
  };
  auto key = key_for(checkpoint->master_version);
  if (!key) return key.error();
  if (*key == nullptr) {
    bad_checkpoint(missing_version_message(checkpoint->master_version));
    return core::ok();
  }
  // The MAC binds the chain name too: a checkpoint copied from another chain does not verify.
  store::AuditCheckpoint as_named = *checkpoint;
  as_named.chain = report_.chain;
  const auto expected = checkpoint_mac((*key)->reveal(), as_named);
  if (checkpoint->seq < 1 || !crypto::constant_time_equal(expected, checkpoint->mac)) {
    bad_checkpoint(std::string(kReasonCheckpointMismatch));
    return core::ok();
  }
  next_seq_ = checkpoint->seq + 1;
  prev_hash_ = checkpoint->hash;
  return core::ok();
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

  auto key = key_for(event.master_version);
  if (!key) return key.error();
  if (*key == nullptr) {
    fail(event, missing_version_message(event.master_version));
    return core::ok();
  }

  const auto expected = chain_link((*key)->reveal(), prev_hash_, event.seq, canonical_event(event));
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
  if (auto started = verifier.start(std::move(chain)); !started) return started.error();
  for (const auto& event : events) {
    if (auto added = verifier.add(event); !added) return added.error();
  }
  return verifier.report();
}

core::Result<VerifyReport> verify_audit(store::AuditChainStore& store, const crypto::Keyring& keyring,
                                        std::size_t batch_size) {
  if (batch_size == 0) batch_size = 1;
  auto chains = store.audit_chains();
  if (!chains) return chains.error();

  VerifyReport report;
  ChainVerifier verifier(keyring);
  for (auto& chain : *chains) {
    auto checkpoint = store.audit_checkpoint(chain);
    if (!checkpoint) return checkpoint.error();
    if (auto started = verifier.start(chain, *checkpoint); !started) return started.error();
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
