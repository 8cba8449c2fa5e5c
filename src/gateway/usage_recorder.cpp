#include "gateway/usage_recorder.h"

#include <charconv>
#include <map>
#include <tuple>

#include <boost/json/serializer.hpp>

#include "audit/event_builder.h"
#include "catalog/call_cost.h"
#include "logging/log.h"

namespace keyrelay::gateway {
namespace {

void append_json_string(std::string& out, boost::json::serializer& serializer, std::string_view text) {
  serializer.reset(text);
  char chunk[256];
  while (!serializer.done()) out.append(serializer.read(chunk));
}

template <class Number>
void append_number(std::string& out, Number n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

// A key.used event's details, written straight into their text: the same JSON a json::object of
// the fields in this order serializes to, without the object's table, rehash and per-field
// allocations for every use.
std::string use_details(const KeyUse& use) {
  std::string out;
  out.reserve(128 + use.model.size());
  boost::json::serializer serializer;
  out += R"({"route":)";
  append_json_string(out, serializer, use.route);
  out += R"(,"credential":)";
  append_json_string(out, serializer, use.credential);
  out += R"(,"input_tokens":)";
  append_number(out, use.input_tokens);
  out += R"(,"output_tokens":)";
  append_number(out, use.output_tokens);
  if (!use.model.empty()) {
    out += R"(,"model":)";
    append_json_string(out, serializer, use.model);
  }
  if (use.http_status) {
    out += R"(,"http_status":)";
    append_number(out, *use.http_status);
  }
  out += '}';
  return out;
}

}  // namespace

UsageRecorder::UsageRecorder(store::UsageStore& usage, store::AuditAppendStore& audit, const core::Clock& clock,
                             const catalog::PriceTable& prices, std::string use_chain, UsageRecorderOptions options)
    : usage_(usage), audit_(audit), clock_(clock), prices_(prices), chain_(std::move(use_chain)), options_(options) {
  pending_.reserve(options_.batch_size);
  thread_ = std::thread([this] { run(); });
}

UsageRecorder::~UsageRecorder() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  flush();
}

void UsageRecorder::record(KeyUse use) {
  bool full = false;
  {
    std::lock_guard lock(mutex_);
    if (pending_.size() >= options_.max_pending) {
      pending_.erase(pending_.begin());
      ++dropped_;
    }
    pending_.push_back({std::move(use), clock_.now()});
    full = pending_.size() >= options_.batch_size;
  }
  if (full) wake_.notify_one();
}

void UsageRecorder::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, options_.flush_interval,
                   [this] { return stopping_ || pending_.size() >= options_.batch_size; });
    if (stopping_) break;
    lock.unlock();
    flush();
    lock.lock();
  }
}

bool UsageRecorder::flush() {
  std::lock_guard writing(write_mutex_);
  std::vector<Queued> batch;
  batch.reserve(options_.batch_size);  // becomes the queue: allocated here, not under the lock
  {
    std::lock_guard lock(mutex_);
    batch.swap(pending_);
  }
  if (batch.empty()) return true;
  if (write_batch(batch)) {
    if (observer_)
      for (const auto& [use, at] : batch) observer_(use, at);
    std::lock_guard lock(mutex_);
    written_ += batch.size();
    return true;
  }
  // Put the batch back in front of what arrived meanwhile, within the cap.
  std::lock_guard lock(mutex_);
  batch.insert(batch.end(), std::make_move_iterator(pending_.begin()), std::make_move_iterator(pending_.end()));
  if (batch.size() > options_.max_pending) {
    const auto excess = batch.size() - options_.max_pending;
    batch.erase(batch.begin(), batch.begin() + static_cast<std::ptrdiff_t>(excess));
    dropped_ += excess;
    logging::error("usage records dropped", {{"count", excess}});
  }
  pending_.swap(batch);
  return false;
}

std::optional<std::int64_t> UsageRecorder::cost_of(const KeyUse& use) const {
  const catalog::ModelPrice* price = prices_.find(use.provider, use.model);
  if (price == nullptr) return std::nullopt;
  if (use.error && !use.usage_reported) return 0;  // refused or never answered: nothing billed
  if (!use.usage_reported) return std::nullopt;    // answered, but how much is unknown
  return catalog::call_cost_micro_usd(
      *price, {use.input_tokens, use.cached_input_tokens, use.cache_write_tokens, use.output_tokens});
}

bool UsageRecorder::write_batch(std::vector<Queued>& batch) {
  // Counts per (key, UTC day, model, and for a default key its user): the store books each delta on
  // the day of its `at`, and a default key's cost also on its user's default-key allowance.
  using DayKey = std::tuple<std::string, std::int64_t, std::string, std::string>;
  std::map<DayKey, store::UsageDelta> sums;
  std::map<std::string, std::int64_t> cost_by_provider;
  std::vector<store::AuditEvent> events;
  events.reserve(batch.size());
  for (const auto& [use, at] : batch) {
    const auto day = std::chrono::duration_cast<std::chrono::days>(at.time_since_epoch()).count();
    const std::string allowance_user = use.credential == "default" ? use.caller.user_id : std::string();
    auto& d = sums[{use.key_id, day, use.model, allowance_user}];
    if (d.key_id.empty()) {
      d.key_id = use.key_id;
      d.owner_id = use.key_owner_id;
      d.provider = use.provider;
      d.model = use.model;
      d.allowance_user_id = allowance_user;
    }
    const auto cost = cost_of(use);
    d.cost_micro_usd += cost.value_or(0);
    d.unpriced_requests += cost ? 0 : 1;
    if (cost) cost_by_provider[use.provider] += *cost;
    d.at = std::max(d.at, at);
    d.requests += 1;
    d.input_tokens += static_cast<std::int64_t>(use.input_tokens);
    d.output_tokens += static_cast<std::int64_t>(use.output_tokens);
    d.errors += use.error ? 1 : 0;

    // When it happened, not when it was written. Queue order is time order (stamped under the lock).
    auto e = audit::new_event(at, chain_, "key.used", use.error ? store::Outcome::failure : store::Outcome::success,
                              use.caller);
    e.key_id = use.key_id;
    e.provider = use.provider;
    e.details_json = use_details(use);
    events.push_back(std::move(e));
  }
  std::vector<store::UsageDelta> deltas;
  deltas.reserve(sums.size());
  for (auto& [k, d] : sums) deltas.push_back(std::move(d));

  if (auto r = usage_.add_usage(deltas); !r) {
    logging::error("usage write failed; will retry", {{"error", r.error().message}, {"uses", batch.size()}});
    return false;
  }
  if (cost_listener_)
    for (const auto& [provider, micro_usd] : cost_by_provider) cost_listener_(provider, micro_usd);
  if (auto r = audit_.append_audit(std::move(events)); !r) {
    // The counts are in; only the events are missing. Retrying the batch would count twice, so
    // the events are given up, loudly.
    logging::error("key.used audit write failed", {{"error", r.error().message}, {"uses", batch.size()}});
    return true;
  }
  return true;
}

std::size_t UsageRecorder::queued() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

std::uint64_t UsageRecorder::written() const {
  std::lock_guard lock(mutex_);
  return written_;
}

std::uint64_t UsageRecorder::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace keyrelay::gateway
