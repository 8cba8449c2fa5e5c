#include "audit/pruner.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "audit/event_builder.h"
#include "core/time_format.h"

namespace keyrelay::audit {

core::Result<PruneSummary> prune_audit_log(store::AuditChainStore& chain_store, store::AuditPruneStore& pruner,
                                           const core::Clock& clock, const PruneOptions& options) {
  auto chains = chain_store.audit_chains();
  if (!chains) return chains.error();
  const auto cutoff = clock.now() - options.older_than;
  PruneSummary summary;
  for (const auto& chain : *chains) {
    if (!chain.ends_with("/use")) continue;  // only use chains (key.used, auth.failed); mgmt is kept forever
    PruneSummary::Chain done{chain, 0, 0};
    for (;;) {
      auto batch = pruner.prune_audit(chain, cutoff, options.batch, [&](const store::AuditPruneBatch& b) {
        auto e = new_event(clock, options.audit_chain, "audit.pruned", store::Outcome::success, options.actor);
        e.details_json = boost::json::serialize(boost::json::object{{"chain", chain},
                                                                    {"through_seq", b.through_seq},
                                                                    {"count", b.pruned},
                                                                    {"older_than", core::format_rfc3339(cutoff)}});
        return e;
      });
      if (!batch) return batch.error();
      if (batch->pruned == 0) break;
      done.pruned += batch->pruned;
      done.through_seq = batch->through_seq;
      summary.pruned += batch->pruned;
      if (static_cast<std::size_t>(batch->pruned) < options.batch) break;
    }
    if (done.pruned > 0) summary.chains.push_back(std::move(done));
  }
  return summary;
}

}  // namespace keyrelay::audit
