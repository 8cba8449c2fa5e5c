#pragma once
// Raising and resolving alerts (issue 5): every rule goes through here, so that each raise is stored
// (repeats coalesce while the alert is open), audited as alert.raised in the same transaction, and
// handed to the listeners (webhook delivery, metrics); a resolution likewise (alert.resolved).
// Blocking: call it on the worker pool or a background thread, never on an I/O thread.

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/actor.h"
#include "core/clock.h"
#include "core/result.h"
#include "store/alert_store.h"

namespace keyrelay::monitor {

// What fired, for whom. `user_id` is whose alert it is (the system user for ones about no user).
struct AlertSpec {
  std::string rule;
  store::AlertSeverity severity = store::AlertSeverity::warning;
  std::string user_id;
  std::optional<std::string> key_id;
  std::optional<std::string> provider;
  std::string message;  // never a secret
};

// Told about every alert as stored. Must not block.
class AlertListener {
 public:
  virtual ~AlertListener() = default;
  // A new alert (count 1), or a repeat coalesced into an open one (count > 1).
  virtual void alert_raised(const store::AlertRecord& alert) noexcept = 0;
  // An open alert was resolved (not told again for one resolved already).
  virtual void alert_resolved(const store::AlertRecord&) noexcept {}
};

class AlertService {
 public:
  AlertService(store::AlertStore& store, const core::Clock& clock, std::string audit_chain)
      : store_(store), clock_(clock), audit_chain_(std::move(audit_chain)) {}

  // Call before the service is shared between threads.
  void add_listener(AlertListener& listener) { listeners_.push_back(&listener); }

  // Raises `spec`; the audit event names `caller` as the actor (nullptr: keyrelay itself).
  core::Result<store::AlertRecord> raise(const AlertSpec& spec, const audit::Actor* caller = nullptr);

  // Resolves alert `id` (of `owner_id` only, when given; another's is not_found), audited as
  // alert.resolved with `caller` as the actor. Idempotent like AlertStore::resolve_alert(); the listeners
  // hear only of a resolution that happened now.
  core::Result<store::AlertRecord> resolve(std::string_view id, std::optional<std::string_view> owner_id,
                                           const audit::Actor& caller);

  // Whether an alert of `rule` about `key_id` was first raised at or after `since`, open or not
  // (for rules that fire once per key and occasion, such as the expiry thresholds).
  core::Result<bool> raised_since(std::string_view rule, std::string_view key_id, store::TimePoint since);

 private:
  store::AlertStore& store_;
  const core::Clock& clock_;
  const std::string audit_chain_;
  std::vector<AlertListener*> listeners_;
};

}  // namespace keyrelay::monitor
