#pragma once
// The expiry sweeper (issue 5). A key stops being usable the moment its expires_at passes — its
// status is derived from the time on every read (store::key_status), so the gateway refuses it at
// that second whatever the sweeper does. The sweeper, every interval, records what a person should
// hear about:
//   key.expired          once per key and expiry date: a key.expired audit event and an alert
//   key.expiring.<N>d    once per key, expiry date and threshold N (alerts.expiry_days): the
//                        key expires within N days
// "Once" is checked against the alerts raised since the key last changed, so setting a new expiry
// date (or rotating) arms the thresholds again. Blocking: runs on its own thread.

#include <chrono>
#include <optional>
#include <vector>

#include "core/clock.h"
#include "core/periodic_task.h"
#include "core/result.h"
#include "monitor/alert_service.h"
#include "store/audit_append_store.h"
#include "store/key_inventory_store.h"

namespace keyrelay::monitor {

struct ExpirySweeperOptions {
  std::vector<unsigned> thresholds_days{7, 1};
  std::chrono::milliseconds interval{std::chrono::minutes(1)};
  std::string audit_chain;  // the writer's mgmt chain, for key.expired
  std::size_t batch = 1000;  // keys read per page
};

class ExpirySweeper {
 public:
  ExpirySweeper(store::KeyInventoryStore& keys, store::AuditAppendStore& audit, AlertService& alerts,
                const core::Clock& clock, ExpirySweeperOptions options);
  ~ExpirySweeper();

  // One pass; returns how many alerts it raised.
  core::Result<std::size_t> sweep_once();

  void start();  // a thread that sweeps now and then every interval
  void stop();

 private:
  core::Result<bool> already_raised(const store::KeyRecord& key, std::string_view rule);
  core::Result<void> note_expired(const store::KeyRecord& key);
  // One key: true when it raised an alert.
  core::Result<bool> sweep_key(const store::KeyRecord& key, store::TimePoint now);

  store::KeyInventoryStore& keys_;
  store::AuditAppendStore& audit_;
  AlertService& alerts_;
  const core::Clock& clock_;
  ExpirySweeperOptions options_;
  std::optional<core::PeriodicTask> task_;
};

}  // namespace keyrelay::monitor
