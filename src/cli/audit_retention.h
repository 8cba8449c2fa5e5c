#pragma once
// The server's audit retention (KEYRELAY_AUDIT_RETENTION): a background thread that prunes
// key.used events older than the retention age, shortly after start and then every interval.

#include <chrono>

#include "audit/pruner.h"
#include "core/clock.h"
#include "core/periodic_task.h"
#include "store/audit_chain_store.h"
#include "store/audit_prune_store.h"

namespace keyrelay::cli {

class AuditRetention {
 public:
  AuditRetention(store::AuditChainStore& chains, store::AuditPruneStore& pruner, const core::Clock& clock,
                 audit::PruneOptions options, std::chrono::milliseconds interval, std::chrono::milliseconds first_delay = std::chrono::seconds(10));

  void start() { task_.start(); }
  void stop() { task_.stop(); }

 private:
  void prune_once();

  store::AuditChainStore& chains_;
  store::AuditPruneStore& pruner_;
  const core::Clock& clock_;
  const audit::PruneOptions options_;
  core::PeriodicTask task_;
};

}  // namespace keyrelay::cli
