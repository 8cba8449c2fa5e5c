#include "vault/node_heartbeat.h"

namespace keyrelay::vault {
namespace {

// Rows of servers gone this long are deleted by the next record (whoever's it is).
constexpr std::chrono::hours kForgetAfter{1};

}  // namespace

NodeHeartbeat::NodeHeartbeat(store::NodeStore& store, const crypto::Envelope& envelope, const core::Clock& clock,
                             NodeIdentity identity, NodeHeartbeatOptions options)
    : store_(store), envelope_(envelope), clock_(clock), identity_(std::move(identity)), options_(options),
      started_at_(clock.now()), task_([this] { beat_in_background(); }, options.interval, options.interval) {}

NodeHeartbeat::~NodeHeartbeat() { stop(); }

core::Result<void> NodeHeartbeat::start() {
  auto first = beat();
  task_.start();
  return first;
}

core::Result<void> NodeHeartbeat::beat() {
  std::lock_guard lock(beat_mutex_);
  if (stopped_) return core::ok();
  const auto keyring = envelope_.keyring();
  store::NodeRecord node;
  node.id = identity_.id;
  node.pid = identity_.pid;
  node.hostname = identity_.hostname;
  node.started_at = started_at_;
  node.heartbeat_at = clock_.now();
  node.live_until = node.heartbeat_at + options_.timeout;
  for (const auto& version : keyring->versions())
    if (version.state != crypto::KeyVersionInfo::State::retired) node.loaded_versions.push_back(version.version);
  node.active_version = keyring->active_version();
  return store_.record_node(node, node.heartbeat_at - kForgetAfter);
}

void NodeHeartbeat::beat_in_background() {
  // A missed heartbeat only delays a rotation (it waits for live servers); the next one repeats it.
  if (auto r = beat(); !r && options_.on_error) options_.on_error(r.error());
}

void NodeHeartbeat::stop() {
  task_.stop();
  std::lock_guard lock(beat_mutex_);
  if (stopped_) return;
  stopped_ = true;
  (void)store_.remove_node(identity_.id);
}

}  // namespace keyrelay::vault
