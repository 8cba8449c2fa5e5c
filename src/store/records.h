#pragma once
// The persistent records of keyrelay, as the services see them. Engines map them to rows; nothing
// SQL-shaped appears here. Secrets appear only sealed (crypto::Envelope output), never in plaintext.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"

namespace keyrelay::store {

using TimePoint = std::chrono::system_clock::time_point;

// ---- users -------------------------------------------------------------------------------------

// `system` is the operator's own user: it owns the default (fallback) keys and never logs in.
enum class Role { user, admin, system };
std::string_view role_name(Role role) noexcept;
std::optional<Role> parse_role(std::string_view text) noexcept;

struct UserRecord {
  std::string id;                          // UUID
  std::string name;                        // unique handle
  Role role = Role::user;
  std::optional<std::string> external_id;  // "iss sub" for users first seen in a JWT; unique
  core::Bytes salt;                        // 16+ random bytes for the per-user KEK; never changes
  TimePoint created_at{};
};

// ---- access tokens -----------------------------------------------------------------------------

struct TokenRecord {
  std::string id;                   // UUID
  std::string user_id;
  std::string name;                 // free text chosen at issue ("cli", "backend")
  core::Bytes hash;                 // SHA-256 of the token text; the token itself is never stored
  std::vector<std::string> scopes;  // "keys:read", ...
  TimePoint created_at{};
  std::optional<TimePoint> expires_at;
  std::optional<TimePoint> last_used_at;
  std::optional<TimePoint> revoked_at;
};

// ---- provider keys -----------------------------------------------------------------------------

enum class ValidationState { unknown, valid, invalid, error };
std::string_view validation_state_name(ValidationState state) noexcept;
std::optional<ValidationState> parse_validation_state(std::string_view text) noexcept;

struct Validation {
  ValidationState state = ValidationState::unknown;
  std::optional<TimePoint> checked_at;
  std::optional<std::string> message;  // already redacted and cut to 256 characters
};

struct KeyUsage {
  std::int64_t requests = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t errors = 0;
};

struct KeyRecord {
  std::string id;        // UUID
  std::string owner_id;  // a user's id; the system user's id for the operator's default keys
  std::string provider;  // catalog id
  std::string name;      // [a-z0-9_-]{1,64}, unique per (owner, provider)
  std::string hint;      // "…x9Qa" or "…"
  core::Bytes fingerprint;       // HMAC of the secret under the owner's fingerprint key; unique per (owner, provider)
  core::Bytes wrapped_data_key;  // crypto::SealedSecret parts
  core::Bytes sealed_secret;
  std::uint32_t master_version = 0;
  std::uint32_t version = 1;     // secret version: +1 on every rotation, bound into the sealed secret
  bool enabled = true;
  Validation validation;
  std::int32_t priority = 0;     // lower is tried first
  bool always_use = false;       // never fall back to default keys for this provider
  std::optional<TimePoint> expires_at;
  TimePoint created_at{};
  TimePoint updated_at{};
  std::optional<TimePoint> last_used_at;
  KeyUsage usage;
  std::string metadata_json = "{}";  // a JSON object, stored as given after validation
  // Not stored. The same secret's fingerprints under the keyring's other master versions, set with
  // `fingerprint` for a new secret: insert_key() and update_key() treat a stored key of the same
  // owner and provider whose fingerprint is any of them as the same secret (that key may still be
  // sealed, and fingerprinted, under another master version).
  std::vector<core::Bytes> equivalent_fingerprints;
};

// Derived status, first match wins: disabled > expired > invalid > active (API.md).
enum class KeyStatus { active, disabled, expired, invalid };
std::string_view key_status_name(KeyStatus status) noexcept;
std::optional<KeyStatus> parse_key_status(std::string_view text) noexcept;
KeyStatus key_status(const KeyRecord& key, TimePoint now) noexcept;

// ---- audit -------------------------------------------------------------------------------------

enum class Outcome { success, failure, denied };
enum class ActorKind { token, jwt, cli, system };
std::string_view outcome_name(Outcome o) noexcept;
std::optional<Outcome> parse_outcome(std::string_view text) noexcept;
std::string_view actor_kind_name(ActorKind k) noexcept;
std::optional<ActorKind> parse_actor_kind(std::string_view text) noexcept;

// The high-volume actions that go on a writer's use chain and that retention prunes: key.used and
// auth.failed. Every other action is a management event, kept forever.
bool is_prunable_audit_action(std::string_view action) noexcept;

struct AuditEvent {
  std::string id;     // UUIDv7
  std::string chain;  // "<writer id>/mgmt", or "<writer id>/use" for the prunable actions
  std::int64_t seq = 0;  // 1, 2, ... within the chain; set by the store at append
  TimePoint time{};
  std::string action;  // "key.created", ... (API.md)
  Outcome outcome = Outcome::success;
  std::optional<std::string> actor_user_id;
  std::optional<std::string> actor_token_id;
  ActorKind actor_kind = ActorKind::system;
  std::optional<std::string> on_behalf_of;
  std::optional<std::string> key_id;
  std::optional<std::string> key_owner_id;  // so a user sees events about their keys
  std::optional<std::string> provider;
  std::optional<std::string> ip;
  std::optional<std::string> user_agent;
  std::optional<std::string> request_id;
  std::string details_json = "{}";  // a JSON object; never a secret
  // The chain link, set by the ChainSealer at append: the master version of the audit key and
  // HMAC(audit key, prev hash ‖ seq ‖ canonical event).
  std::uint32_t master_version = 0;
  core::Bytes hash;
};

// Where a pruned chain now starts (ARCHITECTURE.md "Audit"): the last pruned event's seq and hash,
// how many events were pruned from the chain in all, sealed by `mac` under the audit key of
// `master_version` so that a forged or replayed checkpoint does not verify.
struct AuditCheckpoint {
  std::string chain;
  std::int64_t seq = 0;
  core::Bytes hash;
  std::int64_t count = 0;
  std::uint32_t master_version = 0;
  core::Bytes mac;
  TimePoint created_at{};
};

// What one prune transaction did.
struct AuditPruneBatch {
  std::int64_t pruned = 0;        // events deleted in this batch (0: nothing older than the cut-off)
  std::int64_t through_seq = 0;   // the last deleted seq
};

// ---- usage -------------------------------------------------------------------------------------

// What the gateway counted for one key and model since its last flush, booked on the UTC day of `at`.
struct UsageDelta {
  std::string key_id;
  std::string owner_id;  // the key's owner: a delta whose key is not this owner's is skipped
  std::string provider;
  TimePoint at{};        // when the counted requests ran; sets the day and the key's last_used_at
  std::int64_t requests = 0, input_tokens = 0, output_tokens = 0, errors = 0;  // each >= 0
  std::string model;     // the provider's model name; "" when the call named none (/proxy)
  // What the priced requests cost, in integer micro-USD, and how many requests had no price (their
  // cost is unknown and not in cost_micro_usd). Both >= 0, unpriced_requests <= requests.
  std::int64_t cost_micro_usd = 0, unpriced_requests = 0;
  // For an operator default key: the user who used it, so that their default-key allowance sees the
  // spend (the key's owner is the system user); "" for a user's own key.
  std::string allowance_user_id;
};

// Sums over one group of a usage query; a dimension that is not grouped by is absent.
struct UsageRow {
  std::optional<std::string> day;  // YYYY-MM-DD, UTC
  std::optional<std::string> provider;
  std::optional<std::string> key_id;
  std::int64_t requests = 0, input_tokens = 0, output_tokens = 0, errors = 0;
  std::optional<std::string> model;  // "" for calls that named no model
  std::int64_t cost_micro_usd = 0, unpriced_requests = 0;
};

struct UsageQuery {
  std::string owner_id;  // required: usage is always scoped to one owner
  std::string from_day;  // YYYY-MM-DD, UTC, inclusive
  std::string to_day;    // YYYY-MM-DD, UTC, inclusive
  bool by_day = true, by_provider = false, by_key = false, by_model = false;
};

// A delta no store may book: a negative count, or more unpriced requests than requests.
bool is_malformed(const UsageDelta& delta) noexcept;

// The UTC day of `at` as YYYY-MM-DD: the day add_usage books a delta on.
std::string usage_day(TimePoint at);

// ---- spend caps ----------------------------------------------------------------------------------

// Whose spending a cap limits: a user across their own keys, one key, or a user's use of the
// operator's default keys (the allowance an admin sets).
enum class CapSubject { user, key, default_key_allowance };
std::string_view cap_subject_name(CapSubject subject) noexcept;  // "user", "key", "default_key_allowance"

// Limits in integer micro-USD (1 USD = 1,000,000); absent = no cap for that period. Days and months
// are UTC.
struct CapLimits {
  std::optional<std::int64_t> daily_micro_usd;
  std::optional<std::int64_t> monthly_micro_usd;
  bool is_empty() const noexcept { return !daily_micro_usd && !monthly_micro_usd; }
  friend bool operator==(const CapLimits&, const CapLimits&) = default;
};

struct CapRecord {
  CapSubject subject = CapSubject::user;
  std::string subject_id;  // the user's id, or the key's
  std::string owner_id;    // the user the caps belong to: the user, or the key's owner
  CapLimits limits;
  std::optional<TimePoint> updated_at;  // absent: never set
};

// ---- alerts ------------------------------------------------------------------------------------

// Ordered: a coalesced alert keeps the highest severity it was raised with.
enum class AlertSeverity { info, warning, critical };
enum class AlertStatus { open, resolved };
std::string_view alert_severity_name(AlertSeverity severity) noexcept;
std::optional<AlertSeverity> parse_alert_severity(std::string_view text) noexcept;
std::string_view alert_status_name(AlertStatus status) noexcept;
std::optional<AlertStatus> parse_alert_status(std::string_view text) noexcept;

struct AlertRecord {
  std::string id;    // UUID
  std::string rule;  // what fired ("key.invalid", "key.expiring", ...)
  AlertSeverity severity = AlertSeverity::warning;
  AlertStatus status = AlertStatus::open;
  std::string user_id;  // whose alert it is (the system user's for default keys)
  std::optional<std::string> key_id;
  std::optional<std::string> provider;
  std::string message;  // never a secret
  TimePoint first_seen{}, last_seen{};
  std::int64_t count = 1;  // raises coalesced into this alert while it was open
  std::optional<TimePoint> resolved_at;
};

struct AlertFilter {
  std::optional<std::string> user_id;  // absent: everyone's (admin)
  std::optional<AlertStatus> status;
  std::optional<std::string> rule;
  std::optional<std::string> key_id;
  std::optional<TimePoint> first_seen_since;  // alerts first raised at or after this time
};

// ---- nodes -------------------------------------------------------------------------------------

// A server sharing this store, as it last reported itself: master-key rotation waits until every
// live server has loaded (then seals with) a new master version.
struct NodeRecord {
  std::string id;        // the server's audit writer id, "node-<12 hex>"
  std::int64_t pid = 0;
  std::string hostname;
  TimePoint started_at{};
  TimePoint heartbeat_at{};
  TimePoint live_until{};  // heartbeat_at + the server's node timeout: later, it counts as gone
  std::vector<std::uint32_t> loaded_versions;  // master versions it can open, ascending
  std::uint32_t active_version = 0;            // the master version it seals under
};

// ---- pagination --------------------------------------------------------------------------------

struct PageRequest {
  std::size_t limit = 50;             // 1..200, checked by the caller
  std::optional<std::string> cursor;  // opaque, from a previous page; malformed → invalid_request
};

template <class T>
struct Page {
  std::vector<T> items;
  std::optional<std::string> next_cursor;  // absent on the last page
};

}  // namespace keyrelay::store
