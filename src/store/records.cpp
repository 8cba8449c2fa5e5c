#include "store/records.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <utility>

namespace keyrelay::store {
namespace {

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& names, E value) noexcept {
  for (const auto& [e, n] : names)
    if (e == value) return n;
  return {};
}

template <class E, std::size_t N>
std::optional<E> parse_of(const std::array<std::pair<E, std::string_view>, N>& names, std::string_view text) noexcept {
  for (const auto& [e, n] : names)
    if (n == text) return e;
  return std::nullopt;
}

constexpr std::array<std::pair<Role, std::string_view>, 3> kRoles{
    {{Role::user, "user"}, {Role::admin, "admin"}, {Role::system, "system"}}};
constexpr std::array<std::pair<ValidationState, std::string_view>, 4> kValidation{
    {{ValidationState::unknown, "unknown"}, {ValidationState::valid, "valid"},
     {ValidationState::invalid, "invalid"}, {ValidationState::error, "error"}}};
constexpr std::array<std::pair<KeyStatus, std::string_view>, 4> kStatus{
    {{KeyStatus::active, "active"}, {KeyStatus::disabled, "disabled"}, {KeyStatus::expired, "expired"},
     {KeyStatus::invalid, "invalid"}}};
constexpr std::array<std::pair<Outcome, std::string_view>, 3> kOutcomes{
    {{Outcome::success, "success"}, {Outcome::failure, "failure"}, {Outcome::denied, "denied"}}};
constexpr std::array<std::pair<ActorKind, std::string_view>, 4> kActorKinds{
    {{ActorKind::token, "token"}, {ActorKind::jwt, "jwt"}, {ActorKind::cli, "cli"}, {ActorKind::system, "system"}}};
constexpr std::array<std::pair<AlertSeverity, std::string_view>, 3> kSeverities{
    {{AlertSeverity::info, "info"}, {AlertSeverity::warning, "warning"}, {AlertSeverity::critical, "critical"}}};
constexpr std::array<std::pair<AlertStatus, std::string_view>, 2> kAlertStatuses{
    {{AlertStatus::open, "open"}, {AlertStatus::resolved, "resolved"}}};

}  // namespace

std::string_view role_name(Role r) noexcept { return name_of(kRoles, r); }
std::optional<Role> parse_role(std::string_view t) noexcept { return parse_of(kRoles, t); }
std::string_view validation_state_name(ValidationState s) noexcept { return name_of(kValidation, s); }
std::optional<ValidationState> parse_validation_state(std::string_view t) noexcept { return parse_of(kValidation, t); }
std::string_view key_status_name(KeyStatus s) noexcept { return name_of(kStatus, s); }
std::optional<KeyStatus> parse_key_status(std::string_view t) noexcept { return parse_of(kStatus, t); }
std::string_view outcome_name(Outcome o) noexcept { return name_of(kOutcomes, o); }
std::optional<Outcome> parse_outcome(std::string_view t) noexcept { return parse_of(kOutcomes, t); }
std::string_view actor_kind_name(ActorKind k) noexcept { return name_of(kActorKinds, k); }

bool is_prunable_audit_action(std::string_view action) noexcept {
  return action == "key.used" || action == "auth.failed";
}
std::optional<ActorKind> parse_actor_kind(std::string_view t) noexcept { return parse_of(kActorKinds, t); }
std::string_view alert_severity_name(AlertSeverity s) noexcept { return name_of(kSeverities, s); }
std::optional<AlertSeverity> parse_alert_severity(std::string_view t) noexcept { return parse_of(kSeverities, t); }
std::string_view alert_status_name(AlertStatus s) noexcept { return name_of(kAlertStatuses, s); }
std::optional<AlertStatus> parse_alert_status(std::string_view t) noexcept { return parse_of(kAlertStatuses, t); }

KeyStatus key_status(const KeyRecord& key, TimePoint now) noexcept {
  if (!key.enabled) return KeyStatus::disabled;
  if (key.expires_at && *key.expires_at <= now) return KeyStatus::expired;
  if (key.validation.state == ValidationState::invalid) return KeyStatus::invalid;
  return KeyStatus::active;
}

std::string_view cap_subject_name(CapSubject subject) noexcept {
  switch (subject) {
    case CapSubject::user: return "user";
    case CapSubject::key: return "key";
    case CapSubject::default_key_allowance: return "default_key_allowance";
  }
  return "user";
}

std::string usage_day(TimePoint at) {
  using namespace std::chrono;
  const year_month_day day{floor<days>(at)};  // floor: times before 1970 stay on their own day
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(day.year()), static_cast<unsigned>(day.month()),
                static_cast<unsigned>(day.day()));
  return text;
}

bool is_malformed(const UsageDelta& d) noexcept {
  return d.requests < 0 || d.input_tokens < 0 || d.output_tokens < 0 || d.errors < 0 || d.cost_micro_usd < 0 ||
         d.unpriced_requests < 0 || d.unpriced_requests > d.requests;
}

}  // namespace keyrelay::store
