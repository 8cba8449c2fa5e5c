#pragma once
// The server's audit retention (KEYRELAY_AUDIT_RETENTION): a background thread that prunes
// key.used events older than the retention age, shortly after start and then every interval.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "audit/pruner.h"
#include "core/clock.h"
#include "store/store.h"

namespace keyrelay::cli {

class AuditRetention {
 public:
  AuditRetention(store::Store& store, const core::Clock& clock, audit::PruneOptions options,
                 std::chrono::milliseconds interval, std::chrono::milliseconds first_delay = std::chrono::seconds(10));
  ~AuditRetention();

  void start();
  void stop();

 private:
  store::Store& store_;
  const core::Clock& clock_;
  const audit::PruneOptions options_;
  const std::chrono::milliseconds interval_;
  const std::chrono::milliseconds first_delay_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace keyrelay::cli
