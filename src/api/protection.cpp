#include "api/protection.h"

#include "core/address_group.h"
#include "monitor/burst_detector.h"
#include "monitor/ip_blocklist.h"

namespace keyrelay::api {
namespace {

monitor::RateLimit to_limit(const config::RateSpec& spec) { return {spec.count, spec.period}; }

std::chrono::seconds whole_seconds_up(std::chrono::milliseconds ms) {
  return std::chrono::seconds((ms.count() + 999) / 1000);
}

}  // namespace

std::string_view bucket_name(RateBucket bucket) noexcept {
  switch (bucket) {
    case RateBucket::mutation: return "mutation";
    case RateBucket::validation: return "validation";
    case RateBucket::gateway: return "gateway";
    case RateBucket::auth_failure: return "auth_failure";
    case RateBucket::reveal: return "reveal";
  }
  return "unknown";
}

ProtectionWindows local_protection_windows(const config::AlertConfig& alerts) {
  return {std::make_unique<monitor::IpBlocklist>(),
          std::make_unique<monitor::BurstDetector>(alerts.management_burst.count, alerts.management_burst.period),
          std::make_unique<monitor::BurstDetector>(alerts.validation_failures.count, alerts.validation_failures.period)};
}

Protection::Protection(monitor::RateLimiter& limiter, const config::RateLimitConfig& limits,
                       const config::AlertConfig& alerts, const core::Clock& clock)
    : Protection(limiter, limits, clock, local_protection_windows(alerts)) {}

Protection::Protection(monitor::RateLimiter& limiter, const config::RateLimitConfig& limits, const core::Clock& clock,
                       ProtectionWindows windows)
    : limiter_(limiter),
      clock_(clock),
      mutation_(to_limit(limits.mutations)),
      validation_(to_limit(limits.validations)),
      gateway_(to_limit(limits.gateway)),
      auth_failures_(to_limit(limits.auth_failures)),
      reveal_(to_limit(limits.reveals)),
      auth_failure_spec_(limits.auth_failures),
      auth_block_(limits.auth_block),
      windows_(std::move(windows)) {}

const monitor::RateLimit& Protection::limit_of(RateBucket bucket) const noexcept {
  switch (bucket) {
    case RateBucket::mutation: return mutation_;
    case RateBucket::validation: return validation_;
    case RateBucket::gateway: return gateway_;
    case RateBucket::auth_failure: return auth_failures_;
    case RateBucket::reveal: return reveal_;
  }
  return mutation_;
}

std::optional<core::Error> Protection::charge(RateBucket bucket, std::string_view subject, http::RequestContext& ctx) {
  const monitor::RateLimit& limit = limit_of(bucket);
  if (!limit.enabled()) return std::nullopt;
  std::string key(bucket_name(bucket));
  key += ':';
  key += subject;
  const auto decision = limiter_.acquire(key, limit, clock_.steady_now());
  ctx.response_headers.set("RateLimit-Limit", std::to_string(decision.limit));
  ctx.response_headers.set("RateLimit-Remaining", std::to_string(decision.remaining));
  ctx.response_headers.set("RateLimit-Reset", std::to_string(whole_seconds_up(decision.reset).count()));
  if (decision.allowed) return std::nullopt;
  if (on_limited_) on_limited_(bucket);
  return core::Error::rate_limited("too many " + std::string(bucket == RateBucket::mutation     ? "changes"
                                                             : bucket == RateBucket::validation ? "validations"
                                                             : bucket == RateBucket::reveal     ? "reveals"
                                                                                                : "requests") +
                                       "; " + std::to_string(limit.count) + " are allowed per " +
                                       std::to_string(whole_seconds_up(limit.period).count()) + " s",
                                   std::max(std::chrono::seconds(1), whole_seconds_up(decision.retry_after)));
}

bool Protection::is_locked_out(const http::RequestContext& ctx) const {
  return windows_.blocked->blocked_until(ctx.client_ip, clock_.steady_now()).has_value();
}

std::optional<core::Error> Protection::refusal_for(const http::RequestContext& ctx) const {
  const auto now = clock_.steady_now();
  const auto until = windows_.blocked->blocked_until(ctx.client_ip, now);
  if (!until) return std::nullopt;
  if (on_limited_) on_limited_(RateBucket::auth_failure);
  const auto wait = std::max(std::chrono::seconds(1),
                             whole_seconds_up(std::chrono::duration_cast<std::chrono::milliseconds>(*until - now)));
  auto refusal = core::Error::rate_limited("too many failed authentications from this address; try again later", wait);
  // Refused before any handler runs, so the figures travel with the error (http::error_response).
  refusal.rate_limit = core::RateLimitFigures{auth_failures_.count, 0, wait};
  return refusal;
}

bool Protection::note_auth_failure(const http::RequestContext& ctx) {
  if (!auth_failures_.enabled() || ctx.client_ip.empty()) return false;
  const auto now = clock_.steady_now();
  // Counted per address group, like the block: an IPv6 client has a whole /64 to rotate through.
  const auto decision = limiter_.acquire("auth_failure:" + core::address_group(ctx.client_ip), auth_failures_, now);
  if (decision.allowed) return false;
  return windows_.blocked->block(ctx.client_ip, now, now + auth_block_);
}

bool Protection::note_management_change(std::string_view user_id) {
  return windows_.management_bursts->record(user_id, clock_.steady_now());
}

bool Protection::note_validation_failure(std::string_view user_id) {
  return windows_.validation_failures->record(user_id, clock_.steady_now());
}

}  // namespace keyrelay::api
