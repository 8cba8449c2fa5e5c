#include "store/postgres/row_mapping.h"

#include <string>

#include "store/sqlite/row_mapping.h"  // join_scopes / split_scopes: one spelling of scopes for both engines

namespace keyrelay::store::postgres {
namespace {

template <class E>
core::Result<E> parse_column(std::optional<E> parsed, std::string_view table, std::string_view column) {
  if (!parsed) return core::Error::internal(std::string(table) + "." + std::string(column) + " holds an unknown value");
  return *parsed;
}

}  // namespace

std::string select_sql(std::string_view columns, std::string_view rest) {
  std::string sql = "SELECT ";
  sql += columns;
  sql += ' ';
  sql += rest;
  return sql;
}

// ---- users ----

void add_user(Params& p, const UserRecord& user) {
  p.text(user.id).text(user.name).text(role_name(user.role)).text(user.external_id).bytes(user.salt).time(user.created_at);
}

core::Result<UserRecord> read_user(const Row& row) {
  auto role = parse_column(parse_role(row.text_at(2)), "users", "role");
  if (!role) return role.error();
  UserRecord user;
  user.id = row.text_at(0);
  user.name = row.text_at(1);
  user.role = *role;
  user.external_id = row.optional_text_at(3);
  user.salt = row.bytes_at(4);
  user.created_at = row.time_at(5);
  return user;
}

// ---- access tokens ----

core::Result<void> add_token(Params& p, const TokenRecord& token) {
  auto scopes = sqlite::join_scopes(token.scopes);
  if (!scopes) return scopes.error();
  p.text(token.id).text(token.user_id).text(token.name).bytes(token.hash).text(std::string_view(*scopes));
  p.time(token.created_at).time(token.expires_at).time(token.last_used_at).time(token.revoked_at);
  return core::ok();
}

core::Result<TokenRecord> read_token(const Row& row) {
  TokenRecord token;
  token.id = row.text_at(0);
  token.user_id = row.text_at(1);
  token.name = row.text_at(2);
  token.hash = row.bytes_at(3);
  token.scopes = sqlite::split_scopes(row.text_at(4));
  token.created_at = row.time_at(5);
  token.expires_at = row.optional_time_at(6);
  token.last_used_at = row.optional_time_at(7);
  token.revoked_at = row.optional_time_at(8);
  return token;
}

// ---- provider keys ----

void add_key(Params& p, const KeyRecord& key) {
  p.text(key.id).text(key.owner_id).text(key.provider).text(key.name).text(key.hint);
  p.bytes(key.fingerprint).bytes(key.wrapped_data_key).bytes(key.sealed_secret);
  p.integer(key.master_version).integer(key.version).boolean(key.enabled);
  p.text(validation_state_name(key.validation.state)).time(key.validation.checked_at).text(key.validation.message);
  p.integer(key.priority).boolean(key.always_use).time(key.expires_at).time(key.created_at).time(key.updated_at);
  p.time(key.last_used_at).integer(key.usage.requests).integer(key.usage.input_tokens);
  p.integer(key.usage.output_tokens).integer(key.usage.errors).text(key.metadata_json);
}

core::Result<KeyRecord> read_key(const Row& row) {
  auto state = parse_column(parse_validation_state(row.text_at(11)), "api_keys", "validation_state");
  if (!state) return state.error();
  KeyRecord key;
  key.id = row.text_at(0);
  key.owner_id = row.text_at(1);
  key.provider = row.text_at(2);
  key.name = row.text_at(3);
  key.hint = row.text_at(4);
  key.fingerprint = row.bytes_at(5);
  key.wrapped_data_key = row.bytes_at(6);
  key.sealed_secret = row.bytes_at(7);
  key.master_version = static_cast<std::uint32_t>(row.int_at(8));
  key.version = static_cast<std::uint32_t>(row.int_at(9));
  key.enabled = row.bool_at(10);
  key.validation.state = *state;
  key.validation.checked_at = row.optional_time_at(12);
  key.validation.message = row.optional_text_at(13);
  key.priority = static_cast<std::int32_t>(row.int_at(14));
  key.always_use = row.bool_at(15);
  key.expires_at = row.optional_time_at(16);
  key.created_at = row.time_at(17);
  key.updated_at = row.time_at(18);
  key.last_used_at = row.optional_time_at(19);
  key.usage.requests = row.int_at(20);
  key.usage.input_tokens = row.int_at(21);
  key.usage.output_tokens = row.int_at(22);
  key.usage.errors = row.int_at(23);
  key.metadata_json = row.text_at(24);
  return key;
}

// ---- audit events ----

void add_audit(Params& p, const AuditEvent& event) {
  p.text(event.id).text(event.chain).integer(event.seq).time(event.time).text(event.action);
  p.text(outcome_name(event.outcome)).text(event.actor_user_id).text(event.actor_token_id);
  p.text(actor_kind_name(event.actor_kind)).text(event.on_behalf_of).text(event.key_id).text(event.key_owner_id);
  p.text(event.provider).text(event.ip).text(event.user_agent).text(event.request_id).text(event.details_json);
  p.integer(event.master_version).bytes(event.hash);
}

core::Result<AuditEvent> read_audit(const Row& row) {
  auto outcome = parse_column(parse_outcome(row.text_at(5)), "audit_log", "outcome");
  if (!outcome) return outcome.error();
  auto kind = parse_column(parse_actor_kind(row.text_at(8)), "audit_log", "actor_kind");
  if (!kind) return kind.error();
  AuditEvent event;
  event.id = row.text_at(0);
  event.chain = row.text_at(1);
  event.seq = row.int_at(2);
  event.time = row.time_at(3);
  event.action = row.text_at(4);
  event.outcome = *outcome;
  event.actor_user_id = row.optional_text_at(6);
  event.actor_token_id = row.optional_text_at(7);
  event.actor_kind = *kind;
  event.on_behalf_of = row.optional_text_at(9);
  event.key_id = row.optional_text_at(10);
  event.key_owner_id = row.optional_text_at(11);
  event.provider = row.optional_text_at(12);
  event.ip = row.optional_text_at(13);
  event.user_agent = row.optional_text_at(14);
  event.request_id = row.optional_text_at(15);
  event.details_json = row.text_at(16);
  event.master_version = static_cast<std::uint32_t>(row.int_at(17));
  event.hash = row.bytes_at(18);
  return event;
}

// ---- alerts ----

void add_alert(Params& p, const AlertRecord& alert) {
  p.text(alert.id).text(alert.rule).text(alert_severity_name(alert.severity)).text(alert_status_name(alert.status));
  p.text(alert.user_id).text(alert.key_id).text(alert.provider).text(alert.message);
  p.time(alert.first_seen).time(alert.last_seen).integer(alert.count).time(alert.resolved_at);
}

core::Result<AlertRecord> read_alert(const Row& row) {
  auto severity = parse_column(parse_alert_severity(row.text_at(2)), "alerts", "severity");
  if (!severity) return severity.error();
  auto status = parse_column(parse_alert_status(row.text_at(3)), "alerts", "status");
  if (!status) return status.error();
  AlertRecord alert;
  alert.id = row.text_at(0);
  alert.rule = row.text_at(1);
  alert.severity = *severity;
  alert.status = *status;
  alert.user_id = row.text_at(4);
  alert.key_id = row.optional_text_at(5);
  alert.provider = row.optional_text_at(6);
  alert.message = row.text_at(7);
  alert.first_seen = row.time_at(8);
  alert.last_seen = row.time_at(9);
  alert.count = row.int_at(10);
  alert.resolved_at = row.optional_time_at(11);
  return alert;
}

}  // namespace keyrelay::store::postgres
