#pragma once
// FakeAuditStore: a store::AuditChainStore (what the verifier reads) that holds audit chains in
// memory, given as already sealed events. Counts the batch reads and can be told to fail them.
// Not thread-safe.

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/audit_chain_store.h"

namespace keyrelay::audit::testing {

class FakeAuditStore final : public store::AuditChainStore {
 public:
  std::map<std::string, std::vector<store::AuditEvent>> chains;  // each in ascending seq
  std::map<std::string, store::AuditCheckpoint> checkpoints;     // of pruned chains
  int batch_reads = 0;
  bool fail_reads = false;
  std::size_t max_batch = SIZE_MAX;  // returns fewer events than asked when smaller than the limit

  // store::AuditChainStore
  core::Result<std::vector<std::string>> audit_chains() override {
    if (fail_reads) return core::Error::unavailable("database is locked");
    std::vector<std::string> names;
    for (const auto& [name, events] : chains) names.push_back(name);
    for (const auto& [name, checkpoint] : checkpoints)
      if (!chains.contains(name)) names.push_back(name);
    std::sort(names.begin(), names.end());
    return names;
  }
  core::Result<std::optional<store::AuditCheckpoint>> audit_checkpoint(std::string_view chain) override {
    if (fail_reads) return core::Error::unavailable("database is locked");
    auto it = checkpoints.find(std::string(chain));
    if (it == checkpoints.end()) return std::optional<store::AuditCheckpoint>();
    return std::optional<store::AuditCheckpoint>(it->second);
  }
  core::Result<std::vector<store::AuditEvent>> audit_chain_events(std::string_view chain, std::int64_t after_seq,
                                                                  std::size_t limit) override {
    ++batch_reads;
    if (fail_reads) return core::Error::unavailable("database is locked");
    std::vector<store::AuditEvent> out;
    auto it = chains.find(std::string(chain));
    if (it == chains.end()) return out;
    for (const auto& e : it->second) {
      if (e.seq > after_seq && out.size() < std::min(limit, max_batch)) out.push_back(e);
    }
    return out;
  }
};

}  // namespace keyrelay::audit::testing
