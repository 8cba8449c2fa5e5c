#pragma once
// Row mapping: how each record of records.h is laid out in its table.
//
// For every record there is a column list, the SQL that inserts it, a bind_* function that binds the
// record's fields as parameters ?1..?N in column order, and a read_* function that reads a row
// selected with that column list. read_* fails with internal when a stored enum has an unknown
// spelling (a row written by something else). Pure functions; thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/records.h"
#include "store/sqlite/statement.h"

namespace keyrelay::store::sqlite {

// ---- users ----
inline constexpr std::string_view kUserColumns = "id, name, role, external_id, salt, created_at";
inline constexpr std::string_view kInsertUser =
    "INSERT INTO users (id, name, role, external_id, salt, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
void bind_user(Statement& stmt, const UserRecord& user);
core::Result<UserRecord> read_user(const Statement& stmt);

// ---- access tokens ----
inline constexpr std::string_view kTokenColumns =
    "id, user_id, name, token_hash, scopes, created_at, expires_at, last_used_at, revoked_at";
inline constexpr std::string_view kInsertToken =
    "INSERT INTO access_tokens (id, user_id, name, token_hash, scopes, created_at, expires_at, last_used_at, "
    "revoked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
// invalid_request when a scope is empty or contains whitespace (scopes are stored space-separated).
core::Result<void> bind_token(Statement& stmt, const TokenRecord& token);
core::Result<TokenRecord> read_token(const Statement& stmt);

// ---- provider keys ----
inline constexpr std::string_view kKeyColumns =
    "id, owner_id, provider, name, hint, fingerprint, wrapped_data_key, sealed_secret, master_version, version, "
    "enabled, validation_state, validation_checked_at, validation_message, priority, always_use, expires_at, "
    "created_at, updated_at, last_used_at, usage_requests, usage_input_tokens, usage_output_tokens, usage_errors, "
    "metadata_json";
inline constexpr std::string_view kInsertKey =
    "INSERT INTO api_keys (id, owner_id, provider, name, hint, fingerprint, wrapped_data_key, sealed_secret, "
    "master_version, version, enabled, validation_state, validation_checked_at, validation_message, priority, "
    "always_use, expires_at, created_at, updated_at, last_used_at, usage_requests, usage_input_tokens, "
    "usage_output_tokens, usage_errors, metadata_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
    "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)";
// Rewrites every column but id and owner_id (?1, ?2 select the row) with the bind_key parameters.
inline constexpr std::string_view kUpdateKey =
    "UPDATE api_keys SET provider = ?3, name = ?4, hint = ?5, fingerprint = ?6, wrapped_data_key = ?7, "
    "sealed_secret = ?8, master_version = ?9, version = ?10, enabled = ?11, validation_state = ?12, "
    "validation_checked_at = ?13, validation_message = ?14, priority = ?15, always_use = ?16, expires_at = ?17, "
    "created_at = ?18, updated_at = ?19, last_used_at = ?20, usage_requests = ?21, usage_input_tokens = ?22, "
    "usage_output_tokens = ?23, usage_errors = ?24, metadata_json = ?25 WHERE id = ?1 AND owner_id = ?2";
void bind_key(Statement& stmt, const KeyRecord& key);
core::Result<KeyRecord> read_key(const Statement& stmt);

// ---- audit events ----
inline constexpr std::string_view kAuditColumns =
    "id, chain, seq, time, action, outcome, actor_user_id, actor_token_id, actor_kind, on_behalf_of, key_id, "
    "key_owner_id, provider, ip, user_agent, request_id, details_json, master_version, hash";
inline constexpr std::string_view kInsertAudit =
    "INSERT INTO audit_log (id, chain, seq, time, action, outcome, actor_user_id, actor_token_id, actor_kind, "
    "on_behalf_of, key_id, key_owner_id, provider, ip, user_agent, request_id, details_json, master_version, hash) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)";
// Binds without copies: `event` must outlive `stmt`.
void bind_audit(Statement& stmt, const AuditEvent& event);
core::Result<AuditEvent> read_audit(const Statement& stmt);

// ---- alerts ----
inline constexpr std::string_view kAlertColumns =
    "id, rule, severity, status, user_id, key_id, provider, message, first_seen, last_seen, count, resolved_at";
inline constexpr std::string_view kInsertAlert =
    "INSERT INTO alerts (id, rule, severity, status, user_id, key_id, provider, message, first_seen, last_seen, "
    "count, resolved_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
void bind_alert(Statement& stmt, const AlertRecord& alert);
core::Result<AlertRecord> read_alert(const Statement& stmt);

// ---- scopes ----
// "keys:read keys:write"; invalid_request for an empty scope or one containing whitespace.
core::Result<std::string> join_scopes(const std::vector<std::string>& scopes);
std::vector<std::string> split_scopes(std::string_view text);

}  // namespace keyrelay::store::sqlite
