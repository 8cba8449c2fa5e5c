#pragma once
// NodeHeartbeat: keeps this server's row in the store's `nodes` table — the master-key versions its
// envelope holds and the one it seals with — so that `keyrelay master-key rotate` knows when every
// live server has loaded a new version, and `retire` which versions servers still use
// (ARCHITECTURE.md, "Rotation without a failed request"). The row is recorded at start(), after
// every keyring load (beat()), and every `interval` on its own thread; each record keeps the server
// live for `timeout`; stop() removes the row.
//
// Thread-safe. beat() blocks on the store: never call it on an I/O thread. `store`, `envelope` and
// `clock` must outlive the heartbeat.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "core/periodic_task.h"
#include "core/result.h"
#include "crypto/envelope.h"
#include "store/node_store.h"

namespace keyrelay::vault {

struct NodeIdentity {
  std::string id;  // the server's audit writer id, node-<12 hex>
  std::int64_t pid = 0;
  std::string hostname;
};

struct NodeHeartbeatOptions {
  std::chrono::milliseconds interval{5'000};  // between two records
  std::chrono::milliseconds timeout{15'000};  // a record keeps the server live this long
  // Told when a periodic record failed (the next one repeats it); may be empty.
  std::function<void(const core::Error&)> on_error;
};

class NodeHeartbeat {
 public:
  NodeHeartbeat(store::NodeStore& store, const crypto::Envelope& envelope, const core::Clock& clock, NodeIdentity identity,
                NodeHeartbeatOptions options);
  ~NodeHeartbeat();
  NodeHeartbeat(const NodeHeartbeat&) = delete;
  NodeHeartbeat& operator=(const NodeHeartbeat&) = delete;

  // Records the row now (first, so the server counts before it serves), then every interval.
  core::Result<void> start();
  // Records the row now: call it after the keyring was reloaded. Errors from the store.
  core::Result<void> beat();
  // Stops the thread and removes the row (a clean shutdown). Idempotent.
  void stop();

 private:
  void beat_in_background();

  store::NodeStore& store_;
  const crypto::Envelope& envelope_;
  const core::Clock& clock_;
  const NodeIdentity identity_;
  const NodeHeartbeatOptions options_;
  const store::TimePoint started_at_;
  std::mutex beat_mutex_;  // one record at a time, so an older keyring never overwrites a newer one
  bool stopped_ = false;   // guarded by beat_mutex_
  core::PeriodicTask task_;
};

}  // namespace keyrelay::vault
