#pragma once
// The rate limits of the API edge (API.md; issue 5): management changes and provider validations
// per user, gateway requests and key reveals per token (gateway off unless configured), failed
// authentications per client IP — after too many, the IP is refused for a while. A refused request gets 429 with Retry-After;
// every charged request gets RateLimit-Limit / -Remaining / -Reset.
//
// Also the triggers of the burst alert rules that watch the same events (management bursts, failed
// validations per user). The lockout and the bursts are in memory, or shared through Redis when
// the composition root hands in the Redis versions (ProtectionWindows). Thread-safe.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "core/clock.h"
#include "core/error.h"
#include "http/request_context.h"
#include "monitor/address_blocklist.h"
#include "monitor/burst_counter.h"
#include "monitor/rate_limiter.h"

namespace keyrelay::api {

enum class RateBucket { mutation, validation, gateway, auth_failure, reveal };
std::string_view bucket_name(RateBucket bucket) noexcept;

// Where the lockout and the burst windows are kept; all three are set.
struct ProtectionWindows {
  std::unique_ptr<monitor::AddressBlocklist> blocked;
  std::unique_ptr<monitor::BurstCounter> management_bursts;
  std::unique_ptr<monitor::BurstCounter> validation_failures;
};

// The in-memory windows of one node.
ProtectionWindows local_protection_windows(const config::AlertConfig& alerts);

class Protection {
 public:
  // With this node's in-memory lockout and burst windows.
  Protection(monitor::RateLimiter& limiter, const config::RateLimitConfig& limits, const config::AlertConfig& alerts,
             const core::Clock& clock);
  Protection(monitor::RateLimiter& limiter, const config::RateLimitConfig& limits, const core::Clock& clock,
             ProtectionWindows windows);

  // Told about every refused request (metrics). Set before the server starts.
  void on_limited(std::function<void(RateBucket)> listener) { on_limited_ = std::move(listener); }

  // Spends one unit of `bucket` for `subject` (a user or token id) and puts the RateLimit-* headers
  // into `ctx`. The rate_limited error to answer with when the bucket is empty.
  std::optional<core::Error> charge(RateBucket bucket, std::string_view subject, http::RequestContext& ctx);

  // Whether the client's address (its group: an IPv6 /64, see core::address_group) is refused
  // after failed authentications. Only missing or failing credentials are refused for it: a valid
  // token is always served.
  bool is_locked_out(const http::RequestContext& ctx) const;
  // The 429 to answer a locked-out client's missing or failing credential with (Retry-After and
  // the RateLimit-* figures of the auth-failure limit), counted as refused; nullopt when the client
  // is not locked out.
  std::optional<core::Error> refusal_for(const http::RequestContext& ctx) const;
  // Counts a failed authentication from the client's address group. True when this one got it
  // refused (a new block: worth an alert).
  bool note_auth_failure(const http::RequestContext& ctx);
  std::chrono::milliseconds auth_block() const noexcept { return auth_block_; }
  const config::RateSpec& auth_failure_limit() const noexcept { return auth_failure_spec_; }

  // Alert triggers: true when this event completes a burst worth an alert.
  bool note_management_change(std::string_view user_id);
  bool note_validation_failure(std::string_view user_id);

 private:
  const monitor::RateLimit& limit_of(RateBucket bucket) const noexcept;

  monitor::RateLimiter& limiter_;
  const core::Clock& clock_;
  monitor::RateLimit mutation_, validation_, gateway_, auth_failures_, reveal_;
  config::RateSpec auth_failure_spec_;
  std::chrono::milliseconds auth_block_;
  ProtectionWindows windows_;
  std::function<void(RateBucket)> on_limited_;
};

}  // namespace keyrelay::api
