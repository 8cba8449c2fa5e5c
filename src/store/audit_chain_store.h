#pragma once
// AuditChainStore: reads the audit chains in order, as stored — what verification walks.
// Every call follows the rules in store/store.h (threads, one transaction per change, errors).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace keyrelay::store {

class AuditChainStore {
 public:
  virtual ~AuditChainStore() = default;

  virtual core::Result<std::vector<std::string>> audit_chains() = 0;
  // The checkpoint a pruned chain starts from; nullopt for a chain never pruned.
  virtual core::Result<std::optional<AuditCheckpoint>> audit_checkpoint(std::string_view chain) = 0;
  // Events of `chain` with seq > after_seq, ascending, at most `limit`.
  virtual core::Result<std::vector<AuditEvent>> audit_chain_events(std::string_view chain, std::int64_t after_seq,
                                                                   std::size_t limit) = 0;
};

}  // namespace keyrelay::store
