#include "auth/remote_jwks.h"

#include <utility>

namespace keyrelay::auth {
namespace {

struct Fetched {
  core::Result<Jwks> set;
  std::chrono::seconds next_refresh;
};

// One fetch and parse, without any lock held; the delay is the policy's, or after_failure.
Fetched fetch_and_parse(JwksFetcher& fetcher, std::chrono::milliseconds timeout, const core::Clock& clock,
                        const JwksRefreshPolicy& policy) {
  auto document = fetcher.fetch(timeout);
  if (!document) return {document.error(), policy.after_failure};
  auto set = Jwks::parse(document->body);
  if (!set) {
    return {core::Error::invalid_request("the answer is not a valid key set: " + set.error().message),
            policy.after_failure};
  }
  std::optional<std::string_view> cache_control, expires;
  if (document->cache_control) cache_control = *document->cache_control;
  if (document->expires) expires = *document->expires;
  return {std::move(set), jwks_refresh_delay(cache_control, expires, clock.now(), policy)};
}

}  // namespace

std::string_view jwks_fetch_reason_name(JwksFetchReason reason) noexcept {
  switch (reason) {
    case JwksFetchReason::start: return "start";
    case JwksFetchReason::scheduled: return "scheduled";
    case JwksFetchReason::unknown_kid: return "unknown_kid";
  }
  return "unknown";
}

core::Result<std::shared_ptr<RemoteJwks>> RemoteJwks::start(std::unique_ptr<JwksFetcher> fetcher,
                                                            const core::Clock& clock, RemoteJwksOptions options,
                                                            Observer observer) {
  auto first = fetch_and_parse(*fetcher, options.fetch_timeout, clock, options.policy);
  if (!first.set) return first.set.error();
  auto set = std::make_shared<const Jwks>(std::move(*first.set));
  return std::shared_ptr<RemoteJwks>(new RemoteJwks(std::move(fetcher), clock, std::move(options),
                                                    std::move(observer), std::move(set), first.next_refresh));
}

RemoteJwks::RemoteJwks(std::unique_ptr<JwksFetcher> fetcher, const core::Clock& clock, RemoteJwksOptions options,
                       Observer observer, std::shared_ptr<const Jwks> first, std::chrono::seconds next_refresh)
    : fetcher_(std::move(fetcher)),
      clock_(clock),
      options_(std::move(options)),
      observer_(std::move(observer)),
      set_(std::move(first)),
      next_refresh_at_(clock.steady_now() + next_refresh) {}

std::shared_ptr<const Jwks> RemoteJwks::current() const {
  std::lock_guard lock(mutex_);
  return set_;
}

std::chrono::steady_clock::time_point RemoteJwks::next_refresh_at() const {
  std::lock_guard lock(mutex_);
  return next_refresh_at_;
}

bool RemoteJwks::refresh_if_due() {
  std::unique_lock lock(mutex_);
  if (fetching_ || clock_.steady_now() < next_refresh_at_) return false;
  fetching_ = true;
  fetch_now(lock, JwksFetchReason::scheduled, options_.fetch_timeout);
  return true;
}

std::shared_ptr<const Jwks> RemoteJwks::refetch_for_unknown_kid() {
  std::unique_lock lock(mutex_);
  if (fetching_) {
    // Share the fetch that runs (scheduled or another request's) rather than start one.
    fetched_.wait_for(lock, options_.unknown_kid_wait, [this] { return !fetching_; });
    return set_;
  }
  const auto now = clock_.steady_now();
  if (last_unknown_kid_ && now - *last_unknown_kid_ < options_.unknown_kid_interval) return set_;
  last_unknown_kid_ = now;
  fetching_ = true;
  fetch_now(lock, JwksFetchReason::unknown_kid, options_.unknown_kid_wait);
  return set_;
}

void RemoteJwks::fetch_now(std::unique_lock<std::mutex>& lock, JwksFetchReason reason,
                           std::chrono::milliseconds timeout) {
  lock.unlock();
  Fetched fetched = fetch_and_parse(*fetcher_, timeout, clock_, options_.policy);
  JwksFetchReport report{.reason = reason, .next_refresh = fetched.next_refresh};
  auto fresh = fetched.set ? std::make_shared<const Jwks>(std::move(*fetched.set)) : nullptr;
  if (!fresh) report.error = fetched.set.error().message;
  lock.lock();
  if (fresh) set_ = std::move(fresh);
  next_refresh_at_ = clock_.steady_now() + fetched.next_refresh;
  report.keys = set_->size();
  fetching_ = false;
  lock.unlock();
  fetched_.notify_all();
  if (observer_) observer_(report);
  lock.lock();
}

}  // namespace keyrelay::auth
