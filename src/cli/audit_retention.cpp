#include "cli/audit_retention.h"

#include "logging/log.h"

namespace keyrelay::cli {

AuditRetention::AuditRetention(store::AuditChainStore& chains, store::AuditPruneStore& pruner, const core::Clock& clock,
                               audit::PruneOptions options, std::chrono::milliseconds interval,
                               std::chrono::milliseconds first_delay)
    : chains_(chains),
      pruner_(pruner),
      clock_(clock),
      options_(std::move(options)),
      task_([this] { prune_once(); }, interval, first_delay) {}

void AuditRetention::prune_once() {
  auto summary = audit::prune_audit_log(chains_, pruner_, clock_, options_);
  if (!summary) logging::error("audit pruning failed", {{"error", summary.error().message}});
  else if (summary->pruned > 0)
    logging::info("audit pruned", {{"events", summary->pruned}, {"chains", summary->chains.size()}});
}

}  // namespace keyrelay::cli
