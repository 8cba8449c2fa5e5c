#pragma once
// UsageRecorder: what the gateway did with each key, booked off the request path. record() only
// appends to an in-memory queue; a background thread writes the queue every `flush_interval` (or
// sooner when `batch_size` uses are waiting): each use priced (below), the counts and costs summed
// per key, model and day through one Store::add_usage() call, and one key.used audit event per use through one group-committed
// Store::append_audit() call. A failed write is kept and retried with the next batch (up to
// `max_pending` uses; beyond that the oldest are dropped and logged), so a database hiccup loses
// nothing and never slows a request.
//
// Pricing, on the writer thread: a use whose (provider, model) has a price costs
// call_cost_micro_usd() of its tokens when its answer reported usage, and 0 when the call failed
// (an error answer or none: providers bill no refused call). Every other use — no price, or a
// successful answer without usage — is unpriced: it adds nothing to the cost and one to
// unpriced_requests, so an unknown cost never reads as 0.
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

#include "catalog/price_table.h"
#include "core/clock.h"
#include "gateway/key_use.h"
#include "store/audit_append_store.h"
#include "store/usage_store.h"

namespace keyrelay::gateway {

struct UsageRecorderOptions {
  std::chrono::milliseconds flush_interval{1000};
  std::size_t batch_size = 512;  // a batch of uses held in memory at once (and one commit)
  std::size_t max_pending = 200'000;
};

class UsageRecorder final : public UsageSink {
 public:
  // `prices` must outlive the recorder.
  UsageRecorder(store::UsageStore& usage, store::AuditAppendStore& audit, const core::Clock& clock,
                const catalog::PriceTable& prices, std::string use_chain, UsageRecorderOptions options = {});
  ~UsageRecorder();
  UsageRecorder(const UsageRecorder&) = delete;
  UsageRecorder& operator=(const UsageRecorder&) = delete;

  // Queues one use; stamps it with the current time. Never touches the store.
  void record(KeyUse use) override;

  // Writes everything queued so far, now (shutdown, tests). Returns false when a write failed (the
  // uses stay queued for the next try).
  bool flush();

  // Called on the writer thread with each use once its batch was written (alert rules that watch
  // the use stream). Set before the first record().
  void set_observer(std::function<void(const KeyUse& use, store::TimePoint at)> observer) {
    observer_ = std::move(observer);
  }

  // Called on the writer thread once a batch was written, with what it cost per provider (micro-USD,
  // only providers with a priced use). Set before the first record().
  void set_cost_listener(std::function<void(const std::string& provider, std::int64_t micro_usd)> listener) {
    cost_listener_ = std::move(listener);
  }

  // What `use` costs in micro-USD; nullopt when it is unpriced (see the class comment).
  std::optional<std::int64_t> cost_of(const KeyUse& use) const;

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
  const catalog::PriceTable& prices_;
  const std::string chain_;
  const UsageRecorderOptions options_;

  mutable std::mutex mutex_;          // guards pending_, stopping_, counters
  std::condition_variable wake_;
  // Each flush leaves a new queue with room for a batch (reserved before the lock is taken): an
  // empty one grew by doubling while record() held the lock, moving every queued use again at each
  // step, and sent ~1 MB of large blocks per batch through the allocator. The written batch is
  // freed, not kept: a queue that grew while the writer lagged gives its memory back.
  std::vector<Queued> pending_;
  bool stopping_ = false;
  std::uint64_t written_ = 0, dropped_ = 0;
  std::mutex write_mutex_;            // one batch write at a time (flush() and the thread)
  std::function<void(const KeyUse&, store::TimePoint)> observer_;
  std::function<void(const std::string&, std::int64_t)> cost_listener_;
  std::thread thread_;
};

}  // namespace keyrelay::gateway
