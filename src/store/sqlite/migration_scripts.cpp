// The SQL of every SQLite migration. Times are INTEGER Unix milliseconds (UTC), booleans 0/1,
// bytes BLOB; see statement.h. Append new versions at the end; never edit a released one.

#include <array>

#include "store/sqlite/migrations.h"

namespace keyrelay::store::sqlite {
namespace {

constexpr std::string_view kV1 = R"sql(
CREATE TABLE users (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  role        TEXT NOT NULL CHECK (role IN ('user', 'admin', 'system')),
  external_id TEXT UNIQUE,
  salt        BLOB NOT NULL,
  created_at  INTEGER NOT NULL
);
CREATE INDEX users_by_creation ON users (created_at, id);

CREATE TABLE access_tokens (
  id           TEXT PRIMARY KEY,
  user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  token_hash   BLOB NOT NULL UNIQUE,
  scopes       TEXT NOT NULL,  -- space-separated
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER,
  last_used_at INTEGER,
  revoked_at   INTEGER
);
CREATE INDEX access_tokens_by_creation ON access_tokens (created_at, id);
CREATE INDEX access_tokens_by_user ON access_tokens (user_id, created_at, id);

CREATE TABLE api_keys (
  id                    TEXT PRIMARY KEY,
  owner_id              TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  provider              TEXT NOT NULL,
  name                  TEXT NOT NULL,
  hint                  TEXT NOT NULL,
  fingerprint           BLOB NOT NULL,
  wrapped_data_key      BLOB NOT NULL,
  sealed_secret         BLOB NOT NULL,
  master_version        INTEGER NOT NULL,
  version               INTEGER NOT NULL,
  enabled               INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  validation_state      TEXT NOT NULL CHECK (validation_state IN ('unknown', 'valid', 'invalid', 'error')),
  validation_checked_at INTEGER,
  validation_message    TEXT,
  priority              INTEGER NOT NULL,
  always_use            INTEGER NOT NULL CHECK (always_use IN (0, 1)),
  expires_at            INTEGER,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL,
  last_used_at          INTEGER,
  usage_requests        INTEGER NOT NULL DEFAULT 0,
  usage_input_tokens    INTEGER NOT NULL DEFAULT 0,
  usage_output_tokens   INTEGER NOT NULL DEFAULT 0,
  usage_errors          INTEGER NOT NULL DEFAULT 0,
  metadata_json         TEXT NOT NULL DEFAULT '{}',
  UNIQUE (owner_id, provider, name),
  UNIQUE (owner_id, provider, fingerprint)
);
CREATE INDEX api_keys_by_owner_order ON api_keys (owner_id, provider, priority, created_at, id);
CREATE INDEX api_keys_by_master_version ON api_keys (master_version);

-- No foreign keys: the trail outlives the users and keys it mentions.
CREATE TABLE audit_log (
  id             TEXT PRIMARY KEY,
  chain          TEXT NOT NULL,
  seq            INTEGER NOT NULL,
  time           INTEGER NOT NULL,
  action         TEXT NOT NULL,
  outcome        TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  actor_user_id  TEXT,
  actor_token_id TEXT,
  actor_kind     TEXT NOT NULL CHECK (actor_kind IN ('token', 'jwt', 'cli', 'system')),
  on_behalf_of   TEXT,
  key_id         TEXT,
  key_owner_id   TEXT,
  provider       TEXT,
  ip             TEXT,
  user_agent     TEXT,
  request_id     TEXT,
  details_json   TEXT NOT NULL DEFAULT '{}',
  master_version INTEGER NOT NULL,
  hash           BLOB NOT NULL,
  UNIQUE (chain, seq)
);
-- Newest-first paging runs on (time, id); each list filter has an index ending in the same order.
CREATE INDEX audit_log_by_time ON audit_log (time, seq, id);
CREATE INDEX audit_log_by_actor ON audit_log (actor_user_id, time, seq, id);
CREATE INDEX audit_log_by_on_behalf_of ON audit_log (on_behalf_of, time, seq, id);
CREATE INDEX audit_log_by_key_owner ON audit_log (key_owner_id, time, seq, id);
CREATE INDEX audit_log_by_key ON audit_log (key_id, time, seq, id);
CREATE INDEX audit_log_by_action ON audit_log (action, time, seq, id);
CREATE INDEX audit_log_by_master_version ON audit_log (master_version);

-- One row; every change that cached state depends on adds one (cache invalidation across processes).
CREATE TABLE store_generation (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  generation INTEGER NOT NULL
);
INSERT INTO store_generation (id, generation) VALUES (1, 0);
)sql";

constexpr std::string_view kV2 = R"sql(
-- Daily usage per key. No foreign keys: usage of a deleted key still counts in its owner's totals,
-- so each row keeps the owner and provider it was booked for.
CREATE TABLE usage_daily (
  key_id        TEXT NOT NULL,
  day           TEXT NOT NULL CHECK (length(day) = 10),  -- YYYY-MM-DD, UTC
  owner_id      TEXT NOT NULL,
  provider      TEXT NOT NULL,
  requests      INTEGER NOT NULL DEFAULT 0 CHECK (requests >= 0),
  input_tokens  INTEGER NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
  output_tokens INTEGER NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
  errors        INTEGER NOT NULL DEFAULT 0 CHECK (errors >= 0),
  PRIMARY KEY (key_id, day)
) WITHOUT ROWID;
-- Every usage query names the owner and a day range.
CREATE INDEX usage_daily_by_owner_day ON usage_daily (owner_id, day);

-- No foreign keys: like the audit trail, an alert outlives the key it is about.
CREATE TABLE alerts (
  id          TEXT PRIMARY KEY,
  rule        TEXT NOT NULL,
  severity    TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  status      TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
  user_id     TEXT NOT NULL,
  key_id      TEXT,
  provider    TEXT,
  message     TEXT NOT NULL,
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  count       INTEGER NOT NULL CHECK (count >= 1),
  resolved_at INTEGER,
  CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
);
-- Newest-first paging runs on (last_seen, id); each list filter has an index ending in the same order.
CREATE INDEX alerts_by_last_seen ON alerts (last_seen, id);
CREATE INDEX alerts_by_user ON alerts (user_id, last_seen, id);
CREATE INDEX alerts_by_status ON alerts (status, last_seen, id);
-- Finds the open alert a raise coalesces into.
CREATE INDEX alerts_open_by_tuple ON alerts (rule, user_id, key_id, provider) WHERE status = 'open';
)sql";

// key.used makes the audit log the busiest table: every index is written per event. The master
// version index served no query; on-behalf-of is rare, so only rows that have it are indexed (a
// lookup `on_behalf_of = ?` implies IS NOT NULL, so SQLite still uses the partial index).
constexpr std::string_view kV3 = R"sql(
DROP INDEX audit_log_by_master_version;
DROP INDEX audit_log_by_on_behalf_of;
CREATE INDEX audit_log_by_on_behalf_of ON audit_log (on_behalf_of, time, seq, id) WHERE on_behalf_of IS NOT NULL;
)sql";

// Retention: where each pruned chain now starts (sealed like an event, see AuditCheckpoint), and
// an index for the expiry sweeper's look across every owner's keys.
constexpr std::string_view kV4 = R"sql(
CREATE TABLE audit_checkpoints (
  chain          TEXT PRIMARY KEY,
  seq            INTEGER NOT NULL,
  hash           BLOB NOT NULL,
  count          INTEGER NOT NULL,
  master_version INTEGER NOT NULL,
  mac            BLOB NOT NULL,
  created_at     INTEGER NOT NULL
);
CREATE INDEX api_keys_by_expiry ON api_keys (expires_at) WHERE expires_at IS NOT NULL;
)sql";

// The servers sharing this database (master-key rotation waits for each live one to load a new
// version). Each server replaces its row at start, on every keyring load and every heartbeat, and
// deletes it when it stops cleanly; a row whose live_until passed belongs to a server that is gone.
constexpr std::string_view kV5 = R"sql(
CREATE TABLE nodes (
  id              TEXT PRIMARY KEY,  -- the server's audit writer id, node-<12 hex>
  pid             INTEGER NOT NULL,
  hostname        TEXT NOT NULL,
  started_at      INTEGER NOT NULL,
  heartbeat_at    INTEGER NOT NULL,
  live_until      INTEGER NOT NULL,  -- heartbeat_at + the server's node timeout
  loaded_versions TEXT NOT NULL,     -- master versions it can open: ascending, comma-separated
  active_version  INTEGER NOT NULL   -- the master version it seals under
);
CREATE INDEX nodes_by_live_until ON nodes (live_until);
)sql";

// The same audit log with its two CHECKs written as comparisons. SQLite evaluates `x IN (a, b, c)`
// of three or more constants through a temporary b-tree it builds on every statement run: two of
// them per insert made the checks cost more than the row itself (a key.used event per gateway
// call). Same columns, values, constraints and indexes; rebuilt in the migration's transaction.
constexpr std::string_view kV6 = R"sql(
CREATE TABLE audit_log_v6 (
  id             TEXT PRIMARY KEY,
  chain          TEXT NOT NULL,
  seq            INTEGER NOT NULL,
  time           INTEGER NOT NULL,
  action         TEXT NOT NULL,
  outcome        TEXT NOT NULL CHECK (outcome = 'success' OR outcome = 'failure' OR outcome = 'denied'),
  actor_user_id  TEXT,
  actor_token_id TEXT,
  actor_kind     TEXT NOT NULL
                 CHECK (actor_kind = 'token' OR actor_kind = 'jwt' OR actor_kind = 'cli' OR actor_kind = 'system'),
  on_behalf_of   TEXT,
  key_id         TEXT,
  key_owner_id   TEXT,
  provider       TEXT,
  ip             TEXT,
  user_agent     TEXT,
  request_id     TEXT,
  details_json   TEXT NOT NULL DEFAULT '{}',
  master_version INTEGER NOT NULL,
  hash           BLOB NOT NULL,
  UNIQUE (chain, seq)
);
INSERT INTO audit_log_v6 (id, chain, seq, time, action, outcome, actor_user_id, actor_token_id, actor_kind,
                          on_behalf_of, key_id, key_owner_id, provider, ip, user_agent, request_id, details_json,
                          master_version, hash)
  SELECT id, chain, seq, time, action, outcome, actor_user_id, actor_token_id, actor_kind, on_behalf_of, key_id,
         key_owner_id, provider, ip, user_agent, request_id, details_json, master_version, hash
  FROM audit_log ORDER BY rowid;
DROP TABLE audit_log;
ALTER TABLE audit_log_v6 RENAME TO audit_log;
CREATE INDEX audit_log_by_time ON audit_log (time, seq, id);
CREATE INDEX audit_log_by_actor ON audit_log (actor_user_id, time, seq, id);
CREATE INDEX audit_log_by_key_owner ON audit_log (key_owner_id, time, seq, id);
CREATE INDEX audit_log_by_key ON audit_log (key_id, time, seq, id);
CREATE INDEX audit_log_by_action ON audit_log (action, time, seq, id);
CREATE INDEX audit_log_by_on_behalf_of ON audit_log (on_behalf_of, time, seq, id) WHERE on_behalf_of IS NOT NULL;
)sql";

// Usage per key, model and day, with what it cost (issue 15): the model joins the primary key, so
// the table is rebuilt. Rows from before carry no model ('') and no price: every one of their
// requests counts as unpriced, so their cost reads null, never 0. Costs are integer micro-USD.
constexpr std::string_view kV7 = R"sql(
CREATE TABLE usage_daily_v7 (
  key_id            TEXT NOT NULL,
  day               TEXT NOT NULL CHECK (length(day) = 10),  -- YYYY-MM-DD, UTC
  owner_id          TEXT NOT NULL,
  provider          TEXT NOT NULL,
  requests          INTEGER NOT NULL DEFAULT 0 CHECK (requests >= 0),
  input_tokens      INTEGER NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
  output_tokens     INTEGER NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
  errors            INTEGER NOT NULL DEFAULT 0 CHECK (errors >= 0),
  model             TEXT NOT NULL DEFAULT '',                  -- '' when the call named none
  cost_micro_usd    INTEGER NOT NULL DEFAULT 0 CHECK (cost_micro_usd >= 0),
  unpriced_requests INTEGER NOT NULL DEFAULT 0 CHECK (unpriced_requests >= 0 AND unpriced_requests <= requests),
  PRIMARY KEY (key_id, day, model)
) WITHOUT ROWID;
INSERT INTO usage_daily_v7 (key_id, day, owner_id, provider, requests, input_tokens, output_tokens, errors, model,
                            cost_micro_usd, unpriced_requests)
  SELECT key_id, day, owner_id, provider, requests, input_tokens, output_tokens, errors, '', 0, requests FROM usage_daily;
DROP TABLE usage_daily;
ALTER TABLE usage_daily_v7 RENAME TO usage_daily;
CREATE INDEX usage_daily_by_owner_day ON usage_daily (owner_id, day);
)sql";

// Spend caps (issue 15): limits in integer micro-USD per subject (a user across their keys, one key,
// a user's allowance on the operator's default keys), NULL = no cap for that period; and what each
// user spent on the default keys per UTC day, which usage_daily (booked to the key's owner, the
// system user) cannot tell. No foreign keys: a subject is a user or a key, and a cap row outliving
// its key is inert (ids are never reused).
constexpr std::string_view kV8 = R"sql(
CREATE TABLE spend_caps (
  subject           TEXT NOT NULL CHECK (subject IN ('user', 'key', 'default_key_allowance')),
  subject_id        TEXT NOT NULL,
  owner_id          TEXT NOT NULL,  -- the user the caps belong to (a key's owner for a key)
  daily_micro_usd   INTEGER CHECK (daily_micro_usd >= 0),
  monthly_micro_usd INTEGER CHECK (monthly_micro_usd >= 0),
  updated_at        INTEGER NOT NULL,
  PRIMARY KEY (subject, subject_id)
) WITHOUT ROWID;
CREATE INDEX spend_caps_by_owner ON spend_caps (owner_id);

CREATE TABLE default_key_spend_daily (
  user_id        TEXT NOT NULL,
  day            TEXT NOT NULL CHECK (length(day) = 10),  -- YYYY-MM-DD, UTC
  cost_micro_usd INTEGER NOT NULL DEFAULT 0 CHECK (cost_micro_usd >= 0),
  PRIMARY KEY (user_id, day)
) WITHOUT ROWID;
CREATE INDEX usage_daily_by_key_day ON usage_daily (key_id, day);
)sql";

// The use chain's key.used events are nearly every row of the audit log, so each index they enter
// costs every gateway call (issue 14). Two need not hold them: the key-owner index serves only the
// events whose key owner is not also their actor (the actor index finds the rest), and the action
// index only the other actions (a filter on key.used walks the time index, where nearly every row
// matches). Queries spell out the same conditions (sqlite_store_audit.cpp) so the planner may use them.
constexpr std::string_view kV9 = R"sql(
DROP INDEX audit_log_by_key_owner;
CREATE INDEX audit_log_by_key_owner ON audit_log (key_owner_id, time, seq, id) WHERE key_owner_id IS NOT actor_user_id;
DROP INDEX audit_log_by_action;
CREATE INDEX audit_log_by_action ON audit_log (action, time, seq, id) WHERE action <> 'key.used';
)sql";

// Version 6's fix for the other tables written per request: a key's validation state and an
// alert's severity were checked with `IN` lists of three or more values, for which SQLite builds a
// temporary b-tree on every run of the insert (every key create, every alert raised) and of an
// update that sets the column (every validation). Same columns, values, constraints and indexes;
// both tables are rebuilt in the migration's transaction. Nothing references either table, so
// dropping the old one cascades nowhere. (users.role keeps its list: users are created rarely, and
// rebuilding users would cascade into every key and token.)
constexpr std::string_view kV10 = R"sql(
CREATE TABLE api_keys_v10 (
  id                    TEXT PRIMARY KEY,
  owner_id              TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  provider              TEXT NOT NULL,
  name                  TEXT NOT NULL,
  hint                  TEXT NOT NULL,
  fingerprint           BLOB NOT NULL,
  wrapped_data_key      BLOB NOT NULL,
  sealed_secret         BLOB NOT NULL,
  master_version        INTEGER NOT NULL,
  version               INTEGER NOT NULL,
  enabled               INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  validation_state      TEXT NOT NULL CHECK (validation_state = 'unknown' OR validation_state = 'valid' OR
                                             validation_state = 'invalid' OR validation_state = 'error'),
  validation_checked_at INTEGER,
  validation_message    TEXT,
  priority              INTEGER NOT NULL,
  always_use            INTEGER NOT NULL CHECK (always_use IN (0, 1)),
  expires_at            INTEGER,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL,
  last_used_at          INTEGER,
  usage_requests        INTEGER NOT NULL DEFAULT 0,
  usage_input_tokens    INTEGER NOT NULL DEFAULT 0,
  usage_output_tokens   INTEGER NOT NULL DEFAULT 0,
  usage_errors          INTEGER NOT NULL DEFAULT 0,
  metadata_json         TEXT NOT NULL DEFAULT '{}',
  UNIQUE (owner_id, provider, name),
  UNIQUE (owner_id, provider, fingerprint)
);
INSERT INTO api_keys_v10 (id, owner_id, provider, name, hint, fingerprint, wrapped_data_key, sealed_secret,
                          master_version, version, enabled, validation_state, validation_checked_at,
                          validation_message, priority, always_use, expires_at, created_at, updated_at, last_used_at,
                          usage_requests, usage_input_tokens, usage_output_tokens, usage_errors, metadata_json)
  SELECT id, owner_id, provider, name, hint, fingerprint, wrapped_data_key, sealed_secret, master_version, version,
         enabled, validation_state, validation_checked_at, validation_message, priority, always_use, expires_at,
         created_at, updated_at, last_used_at, usage_requests, usage_input_tokens, usage_output_tokens, usage_errors,
         metadata_json
  FROM api_keys ORDER BY rowid;
DROP TABLE api_keys;
ALTER TABLE api_keys_v10 RENAME TO api_keys;
CREATE INDEX api_keys_by_owner_order ON api_keys (owner_id, provider, priority, created_at, id);
CREATE INDEX api_keys_by_master_version ON api_keys (master_version);
CREATE INDEX api_keys_by_expiry ON api_keys (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE alerts_v10 (
  id          TEXT PRIMARY KEY,
  rule        TEXT NOT NULL,
  severity    TEXT NOT NULL CHECK (severity = 'info' OR severity = 'warning' OR severity = 'critical'),
  status      TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
  user_id     TEXT NOT NULL,
  key_id      TEXT,
  provider    TEXT,
  message     TEXT NOT NULL,
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  count       INTEGER NOT NULL CHECK (count >= 1),
  resolved_at INTEGER,
  CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
);
INSERT INTO alerts_v10 (id, rule, severity, status, user_id, key_id, provider, message, first_seen, last_seen, count,
                        resolved_at)
  SELECT id, rule, severity, status, user_id, key_id, provider, message, first_seen, last_seen, count, resolved_at
  FROM alerts ORDER BY rowid;
DROP TABLE alerts;
ALTER TABLE alerts_v10 RENAME TO alerts;
CREATE INDEX alerts_by_last_seen ON alerts (last_seen, id);
CREATE INDEX alerts_by_user ON alerts (user_id, last_seen, id);
CREATE INDEX alerts_by_status ON alerts (status, last_seen, id);
CREATE INDEX alerts_open_by_tuple ON alerts (rule, user_id, key_id, provider) WHERE status = 'open';
)sql";

constexpr std::array kMigrations{
    Migration{1, "users, access tokens, provider keys, audit log, store generation", kV1},
    Migration{2, "daily usage per key, alerts", kV2},
    Migration{3, "leaner audit indexes for high-volume key.used", kV3},
    Migration{4, "audit pruning checkpoints, key expiry index", kV4},
    Migration{5, "nodes: the servers sharing the database and the master keys they hold", kV5},
    Migration{6, "audit log checks as comparisons (no temporary b-tree per insert)", kV6},
    Migration{7, "usage per key, model and day, with its cost in micro-USD", kV7},
    Migration{8, "spend caps per user, key and default-key allowance; default-key spend per user and day", kV8},
    Migration{9, "audit indexes leave out what key.used events need not be in", kV9},
    Migration{10, "key and alert checks as comparisons (no temporary b-tree per insert)", kV10},
};

}  // namespace

std::span<const Migration> migrations() noexcept { return kMigrations; }

int latest_schema_version() noexcept { return kMigrations.back().version; }

}  // namespace keyrelay::store::sqlite
