#pragma once
// Audit retention (issue 5): key.used and auth.failed events older than the retention age are
// pruned from the oldest end of every `use` chain, a batch per transaction so the store is never locked for long.
// Each batch moves the chain's sealed checkpoint (verify starts from it) and appends one
// audit.pruned event to the pruning writer's `mgmt` chain in the same transaction. Management
// chains are never pruned. Blocking: runs on the CLI or on a server's background thread.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "audit/actor.h"
#include "core/clock.h"
#include "core/result.h"
#include "store/audit_chain_store.h"
#include "store/audit_prune_store.h"

namespace keyrelay::audit {

struct PruneSummary {
  struct Chain {
    std::string chain;
    std::int64_t pruned = 0;
    std::int64_t through_seq = 0;
  };
  std::vector<Chain> chains;  // the chains something was pruned from
  std::int64_t pruned = 0;    // in all
};

struct PruneOptions {
  std::chrono::milliseconds older_than{std::chrono::hours(24 * 30)};
  std::size_t batch = 5000;
  std::string audit_chain;          // where audit.pruned events go (the writer's mgmt chain)
  Actor actor = Actor::system();    // who prunes: keyrelay itself, or an operator (Actor::cli())
};

// `chains` lists the chains, `pruner` deletes from them (both the same store in the server).
core::Result<PruneSummary> prune_audit_log(store::AuditChainStore& chains, store::AuditPruneStore& pruner,
                                           const core::Clock& clock, const PruneOptions& options);

}  // namespace keyrelay::audit
