#include "store/sqlite/row_mapping.h"

#include <string>

namespace keyrelay::store::sqlite {
namespace {

template <class E>
core::Result<E> parse_column(std::optional<E> parsed, std::string_view table, std::string_view column) {
  if (!parsed) return core::Error::internal(std::string(table) + "." + std::string(column) + " holds an unknown value");
  return *parsed;
}

}  // namespace

// ---- users ----

void bind_user(Statement& stmt, const UserRecord& user) {
  stmt.bind_text(1, user.id);
  stmt.bind_text(2, user.name);
  stmt.bind_text(3, role_name(user.role));
  stmt.bind_text(4, user.external_id);
  stmt.bind_blob(5, user.salt);
  stmt.bind_time(6, user.created_at);
}

core::Result<UserRecord> read_user(const Statement& stmt) {
  auto role = parse_column(parse_role(stmt.text_at(2)), "users", "role");
  if (!role) return role.error();
  UserRecord user;
  user.id = stmt.text_at(0);
  user.name = stmt.text_at(1);
  user.role = *role;
  user.external_id = stmt.optional_text_at(3);
  user.salt = stmt.blob_at(4);
  user.created_at = stmt.time_at(5);
  return user;
}

// ---- access tokens ----

core::Result<void> bind_token(Statement& stmt, const TokenRecord& token) {
  auto scopes = join_scopes(token.scopes);
  if (!scopes) return scopes.error();
  stmt.bind_text(1, token.id);
  stmt.bind_text(2, token.user_id);
  stmt.bind_text(3, token.name);
  stmt.bind_blob(4, token.hash);
  stmt.bind_text(5, std::string_view(*scopes));
  stmt.bind_time(6, token.created_at);
  stmt.bind_time(7, token.expires_at);
  stmt.bind_time(8, token.last_used_at);
  stmt.bind_time(9, token.revoked_at);
  return core::ok();
}

core::Result<TokenRecord> read_token(const Statement& stmt) {
  TokenRecord token;
  token.id = stmt.text_at(0);
  token.user_id = stmt.text_at(1);
  token.name = stmt.text_at(2);
  token.hash = stmt.blob_at(3);
  token.scopes = split_scopes(stmt.text_at(4));
  token.created_at = stmt.time_at(5);
  token.expires_at = stmt.optional_time_at(6);
  token.last_used_at = stmt.optional_time_at(7);
  token.revoked_at = stmt.optional_time_at(8);
  return token;
}

// ---- provider keys ----

void bind_key(Statement& stmt, const KeyRecord& key) {
  stmt.bind_text(1, key.id);
  stmt.bind_text(2, key.owner_id);
  stmt.bind_text(3, key.provider);
  stmt.bind_text(4, key.name);
  stmt.bind_text(5, key.hint);
  stmt.bind_blob(6, key.fingerprint);
  stmt.bind_blob(7, key.wrapped_data_key);
  stmt.bind_blob(8, key.sealed_secret);
  stmt.bind_int(9, key.master_version);
  stmt.bind_int(10, key.version);
  stmt.bind_bool(11, key.enabled);
  stmt.bind_text(12, validation_state_name(key.validation.state));
  stmt.bind_time(13, key.validation.checked_at);
  stmt.bind_text(14, key.validation.message);
  stmt.bind_int(15, key.priority);
  stmt.bind_bool(16, key.always_use);
  stmt.bind_time(17, key.expires_at);
  stmt.bind_time(18, key.created_at);
  stmt.bind_time(19, key.updated_at);
  stmt.bind_time(20, key.last_used_at);
  stmt.bind_int(21, key.usage.requests);
  stmt.bind_int(22, key.usage.input_tokens);
  stmt.bind_int(23, key.usage.output_tokens);
  stmt.bind_int(24, key.usage.errors);
  stmt.bind_text(25, key.metadata_json);
}

core::Result<KeyRecord> read_key(const Statement& stmt) {
  auto state = parse_column(parse_validation_state(stmt.text_at(11)), "api_keys", "validation_state");
  if (!state) return state.error();
  KeyRecord key;
  key.id = stmt.text_at(0);
  key.owner_id = stmt.text_at(1);
  key.provider = stmt.text_at(2);
  key.name = stmt.text_at(3);
  key.hint = stmt.text_at(4);
  key.fingerprint = stmt.blob_at(5);
  key.wrapped_data_key = stmt.blob_at(6);
  key.sealed_secret = stmt.blob_at(7);
  key.master_version = static_cast<std::uint32_t>(stmt.int_at(8));
  key.version = static_cast<std::uint32_t>(stmt.int_at(9));
  key.enabled = stmt.bool_at(10);
  key.validation.state = *state;
  key.validation.checked_at = stmt.optional_time_at(12);
  key.validation.message = stmt.optional_text_at(13);
  key.priority = static_cast<std::int32_t>(stmt.int_at(14));
  key.always_use = stmt.bool_at(15);
  key.expires_at = stmt.optional_time_at(16);
  key.created_at = stmt.time_at(17);
  key.updated_at = stmt.time_at(18);
  key.last_used_at = stmt.optional_time_at(19);
  key.usage.requests = stmt.int_at(20);
  key.usage.input_tokens = stmt.int_at(21);
  key.usage.output_tokens = stmt.int_at(22);
  key.usage.errors = stmt.int_at(23);
  key.metadata_json = stmt.text_at(24);
  return key;
}

// ---- audit events ----

void bind_audit(Statement& stmt, const AuditEvent& event) {
  stmt.bind_text_borrowed(1, event.id);
  stmt.bind_text_borrowed(2, event.chain);
  stmt.bind_int(3, event.seq);
  stmt.bind_time(4, event.time);
  stmt.bind_text_borrowed(5, event.action);
  stmt.bind_text_borrowed(6, outcome_name(event.outcome));
  stmt.bind_text_borrowed(7, event.actor_user_id);
  stmt.bind_text_borrowed(8, event.actor_token_id);
  stmt.bind_text_borrowed(9, actor_kind_name(event.actor_kind));
  stmt.bind_text_borrowed(10, event.on_behalf_of);
  stmt.bind_text_borrowed(11, event.key_id);
  stmt.bind_text_borrowed(12, event.key_owner_id);
  stmt.bind_text_borrowed(13, event.provider);
  stmt.bind_text_borrowed(14, event.ip);
  stmt.bind_text_borrowed(15, event.user_agent);
  stmt.bind_text_borrowed(16, event.request_id);
  stmt.bind_text_borrowed(17, event.details_json);
  stmt.bind_int(18, event.master_version);
  stmt.bind_blob_borrowed(19, event.hash);
}

core::Result<AuditEvent> read_audit(const Statement& stmt) {
  auto outcome = parse_column(parse_outcome(stmt.text_at(5)), "audit_log", "outcome");
  if (!outcome) return outcome.error();
  auto kind = parse_column(parse_actor_kind(stmt.text_at(8)), "audit_log", "actor_kind");
  if (!kind) return kind.error();
  AuditEvent event;
  event.id = stmt.text_at(0);
  event.chain = stmt.text_at(1);
  event.seq = stmt.int_at(2);
  event.time = stmt.time_at(3);
  event.action = stmt.text_at(4);
  event.outcome = *outcome;
  event.actor_user_id = stmt.optional_text_at(6);
  event.actor_token_id = stmt.optional_text_at(7);
  event.actor_kind = *kind;
  event.on_behalf_of = stmt.optional_text_at(9);
  event.key_id = stmt.optional_text_at(10);
  event.key_owner_id = stmt.optional_text_at(11);
  event.provider = stmt.optional_text_at(12);
  event.ip = stmt.optional_text_at(13);
  event.user_agent = stmt.optional_text_at(14);
  event.request_id = stmt.optional_text_at(15);
  event.details_json = stmt.text_at(16);
  event.master_version = static_cast<std::uint32_t>(stmt.int_at(17));
  event.hash = stmt.blob_at(18);
  return event;
}

// ---- alerts ----

void bind_alert(Statement& stmt, const AlertRecord& alert) {
  stmt.bind_text(1, alert.id);
  stmt.bind_text(2, alert.rule);
  stmt.bind_text(3, alert_severity_name(alert.severity));
  stmt.bind_text(4, alert_status_name(alert.status));
  stmt.bind_text(5, alert.user_id);
  stmt.bind_text(6, alert.key_id);
  stmt.bind_text(7, alert.provider);
  stmt.bind_text(8, alert.message);
  stmt.bind_time(9, alert.first_seen);
  stmt.bind_time(10, alert.last_seen);
  stmt.bind_int(11, alert.count);
  stmt.bind_time(12, alert.resolved_at);
}

core::Result<AlertRecord> read_alert(const Statement& stmt) {
  auto severity = parse_column(parse_alert_severity(stmt.text_at(2)), "alerts", "severity");
  if (!severity) return severity.error();
  auto status = parse_column(parse_alert_status(stmt.text_at(3)), "alerts", "status");
  if (!status) return status.error();
  AlertRecord alert;
  alert.id = stmt.text_at(0);
  alert.rule = stmt.text_at(1);
  alert.severity = *severity;
  alert.status = *status;
  alert.user_id = stmt.text_at(4);
  alert.key_id = stmt.optional_text_at(5);
  alert.provider = stmt.optional_text_at(6);
  alert.message = stmt.text_at(7);
  alert.first_seen = stmt.time_at(8);
  alert.last_seen = stmt.time_at(9);
  alert.count = stmt.int_at(10);
  alert.resolved_at = stmt.optional_time_at(11);
  return alert;
}

// ---- scopes ----

core::Result<std::string> join_scopes(const std::vector<std::string>& scopes) {
  std::string joined;
  for (const auto& scope : scopes) {
    if (scope.empty() || scope.find_first_of(" \t\r\n\v\f") != std::string::npos)
      return core::Error::invalid_request("a token scope must be a non-empty word without spaces");
    if (!joined.empty()) joined += ' ';
    joined += scope;
  }
  return joined;
}

std::vector<std::string> split_scopes(std::string_view text) {
  std::vector<std::string> scopes;
  while (!text.empty()) {
    const auto space = text.find(' ');
    const auto scope = text.substr(0, space);
    if (!scope.empty()) scopes.emplace_back(scope);
    if (space == std::string_view::npos) break;
    text.remove_prefix(space + 1);
  }
  return scopes;
}

}  // namespace keyrelay::store::sqlite
