#include "cli/audit_retention.h"

#include "logging/log.h"

namespace keyrelay::cli {

AuditRetention::AuditRetention(store::Store& store, const core::Clock& clock, audit::PruneOptions options,
                               std::chrono::milliseconds interval, std::chrono::milliseconds first_delay)
    : store_(store), clock_(clock), options_(std::move(options)), interval_(interval), first_delay_(first_delay) {}

AuditRetention::~AuditRetention() { stop(); }

void AuditRetention::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    auto wait = first_delay_;
    while (!wake_.wait_for(lock, wait, [this] { return stopping_; })) {
      lock.unlock();
      auto summary = audit::prune_audit_log(store_, clock_, options_);
      if (!summary) logging::error("audit pruning failed", {{"error", summary.error().message}});
      else if (summary->pruned > 0)
        logging::info("audit pruned", {{"events", summary->pruned}, {"chains", summary->chains.size()}});
      lock.lock();
      wait = interval_;
    }
  });
}

void AuditRetention::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace keyrelay::cli
