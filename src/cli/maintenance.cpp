#include "cli/maintenance.h"

#include "logging/log.h"

namespace keyrelay::cli {

Maintenance::Maintenance(store::SchemaStore& schema, store::TokenStore& tokens, auth::Authenticator& authenticator,
                         vault::KeyCache& cache,
                         std::function<void()> keyring_check, std::chrono::milliseconds poll_interval,
                         std::chrono::milliseconds flush_interval, std::chrono::milliseconds keyring_interval)
    : schema_(schema), tokens_(tokens), authenticator_(authenticator), cache_(cache), poll_interval_(poll_interval),
      flush_interval_(flush_interval), keyring_check_(std::move(keyring_check)), keyring_interval_(keyring_interval) {}

Maintenance::~Maintenance() { stop(); }

void Maintenance::start() {
  // The baseline is read before the server accepts requests: a change made between start and the
  // first poll would otherwise become the baseline and never clear the caches.
  std::optional<std::uint64_t> baseline;
  if (auto generation = schema_.generation()) baseline = *generation;
  thread_ = std::thread([this, baseline] { run(baseline); });
}

void Maintenance::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  flush(true);
}

void Maintenance::flush(bool everything) {
  // Failed authentications counted in memory: the summaries of closed windows, all at shutdown.
  if (auto r = authenticator_.flush_failures(everything); !r)
    logging::warn("could not write auth.failed summaries", {{"error", r.error().message}});
  auto uses = authenticator_.take_token_uses();
  if (uses.empty()) return;
  if (auto r = tokens_.touch_tokens(uses); !r)
    logging::warn("could not record token use", {{"error", r.error().message}, {"tokens", uses.size()}});
}

void Maintenance::drop_caches() {
  authenticator_.clear_cache();
  cache_.clear();
  if (also_on_change_) also_on_change_();
}

void Maintenance::note_store(bool ok) {
  if (ok != store_ok_.exchange(ok))
    logging::write(ok ? logging::Level::info : logging::Level::error, ok ? "store reachable again" : "store unreachable");
}

void Maintenance::run(std::optional<std::uint64_t> seen) {
  auto next_flush = std::chrono::steady_clock::now() + flush_interval_;
  auto next_keyring_check = std::chrono::steady_clock::now() + keyring_interval_;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, poll_interval_, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    // Every poll is also a probe of the store: /readyz fails within one poll of losing it.
    auto generation = schema_.generation();
    if (generation) {
      if (seen && *generation != *seen) drop_caches();
      seen = *generation;
    }
    note_store(generation.has_value());
    if (keyring_check_ && std::chrono::steady_clock::now() >= next_keyring_check) {
      keyring_check_();
      next_keyring_check = std::chrono::steady_clock::now() + keyring_interval_;
    }
    if (std::chrono::steady_clock::now() >= next_flush) {
      flush(false);
      note_store(static_cast<bool>(schema_.ping()));
      next_flush = std::chrono::steady_clock::now() + flush_interval_;
    }
    lock.lock();
  }
}

}  // namespace keyrelay::cli
