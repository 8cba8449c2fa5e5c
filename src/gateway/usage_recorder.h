#pragma once
// UsageRecorder: what the gateway did with each key, booked off the request path. record() only
// appends to an in-memory queue; a background thread writes the queue every `flush_interval` (or
// sooner when `batch_size` uses are waiting): the counts summed per key and day through one
// Store::add_usage() call, and one key.used audit event per use through one group-committed
// Store::append_audit() call. A failed write is kept and retried with the next batch (up to
// `max_pending` uses; beyond that the oldest are dropped and logged), so a database hiccup loses
// nothing and never slows a request.
//
// Thread-safe. The stores and clock must outlive the recorder; the destructor flushes.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "audit/actor.h"
#include "core/clock.h"
#include "store/audit_append_store.h"
#include "store/usage_store.h"

namespace keyrelay::gateway {

struct KeyUse {
  audit::Actor caller;       // who used it (actor, on-behalf-of, ip, user agent, request id)
  std::string key_id;
  std::string key_owner_id;   // the user, or the system user for an operator default key
  std::string provider;
  std::string credential;     // "user" | "default"
  std::string route;          // "chat" | "proxy"
  std::string model;          // empty for /proxy
  std::optional<int> http_status;  // the provider's answer; absent when none came
  bool error = false;         // counted as an error of the key (transport failure, 4xx/5xx)
  std::uint64_t input_tokens = 0, output_tokens = 0;
};

struct UsageRecorderOptions {
  std::chrono::milliseconds flush_interval{1000};
  std::size_t batch_size = 2048;
  std::size_t max_pending = 200'000;
};

class UsageRecorder {
 public:
  UsageRecorder(store::UsageStore& usage, store::AuditAppendStore& audit, const core::Clock& clock,
                std::string use_chain, UsageRecorderOptions options = {});
  ~UsageRecorder();
  UsageRecorder(const UsageRecorder&) = delete;
  UsageRecorder& operator=(const UsageRecorder&) = delete;

  // Queues one use; stamps it with the current time. Never touches the store.
  void record(KeyUse use);

  // Writes everything queued so far, now (shutdown, tests). Returns false when a write failed (the
  // uses stay queued for the next try).
  bool flush();

  // Called on the writer thread with each use once its batch was written (alert rules that watch
  // the use stream). Set before the first record().
  void set_observer(std::function<void(const KeyUse& use, store::TimePoint at)> observer) {
    observer_ = std::move(observer);
  }

  std::uint64_t written() const;  // uses written so far
  std::size_t queued() const;     // uses waiting to be written
  std::uint64_t dropped() const;  // uses given up (queue overflow)

 private:
  struct Queued {
    KeyUse use;
    store::TimePoint at;
  };
  void run();
  bool write_batch(std::vector<Queued>& batch);

  store::UsageStore& usage_;
  store::AuditAppendStore& audit_;
  const core::Clock& clock_;
  const std::string chain_;
  const UsageRecorderOptions options_;

  mutable std::mutex mutex_;          // guards pending_, stopping_, counters
  std::condition_variable wake_;
  std::vector<Queued> pending_;
  bool stopping_ = false;
  std::uint64_t written_ = 0, dropped_ = 0;
  std::mutex write_mutex_;            // one batch write at a time (flush() and the thread)
  std::function<void(const KeyUse&, store::TimePoint)> observer_;
  std::thread thread_;
};

}  // namespace keyrelay::gateway
