// The SQL of every PostgreSQL migration: the SQLite engine's tables (sqlite/migration_scripts.cpp,
// same versions) in PostgreSQL types, plus the runtime role and row-level security.
// Types: times are bigint Unix milliseconds (UTC) as on SQLite, so records read back identical and
// cursors are the same; booleans boolean; bytes bytea; counters bigint.
// Row-level security: every user-owned table (users, access_tokens, api_keys, usage_daily, alerts)
// is ENABLEd and FORCEd, with one policy: a row is visible and writable when its owner is
// current_setting('keyrelay.user_id') or the transaction runs with keyrelay.scope = 'all' (the
// admin path, transaction.h). Neither set: no row at all (fail closed). The audit trail, its
// checkpoints, nodes and store_generation are not user-owned: they are written by servers for
// every user (an audit chain belongs to a writer node and must be read whole to be extended).
// Append new versions at the end; never edit a released one.

#include <array>

#include "store/postgres/migrations.h"

namespace keyrelay::store::postgres {
namespace {

constexpr std::string_view kV1 = R"sql(
-- The role runtime transactions run as (SET LOCAL ROLE): it owns nothing, so row-level security
-- binds it even when the URL's role is a superuser. Roles are per cluster: another database of the
-- same cluster may have created it first, or be creating it right now.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'keyrelay_runtime') THEN
    BEGIN
      CREATE ROLE keyrelay_runtime NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
  IF NOT pg_has_role(current_user, 'keyrelay_runtime', 'MEMBER') THEN
    BEGIN
      EXECUTE format('GRANT keyrelay_runtime TO %I', current_user);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
END $$;

CREATE TABLE users (
  id          text PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  role        text NOT NULL CHECK (role IN ('user', 'admin', 'system')),
  external_id text UNIQUE,
  salt        bytea NOT NULL,
  created_at  bigint NOT NULL
);
CREATE INDEX users_by_creation ON users (created_at, id);

CREATE TABLE access_tokens (
  id           text PRIMARY KEY,
  user_id      text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         text NOT NULL,
  token_hash   bytea NOT NULL UNIQUE,
  scopes       text NOT NULL,  -- space-separated
  created_at   bigint NOT NULL,
  expires_at   bigint,
  last_used_at bigint,
  revoked_at   bigint
);
CREATE INDEX access_tokens_by_creation ON access_tokens (created_at, id);
CREATE INDEX access_tokens_by_user ON access_tokens (user_id, created_at, id);

CREATE TABLE api_keys (
  id                    text PRIMARY KEY,
  owner_id              text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  provider              text NOT NULL,
  name                  text NOT NULL,
  hint                  text NOT NULL,
  fingerprint           bytea NOT NULL,
  wrapped_data_key      bytea NOT NULL,
  sealed_secret         bytea NOT NULL,
  master_version        integer NOT NULL,
  version               integer NOT NULL,
  enabled               boolean NOT NULL,
  validation_state      text NOT NULL CHECK (validation_state IN ('unknown', 'valid', 'invalid', 'error')),
  validation_checked_at bigint,
  validation_message    text,
  priority              integer NOT NULL,
  always_use            boolean NOT NULL,
  expires_at            bigint,
  created_at            bigint NOT NULL,
  updated_at            bigint NOT NULL,
  last_used_at          bigint,
  usage_requests        bigint NOT NULL DEFAULT 0,
  usage_input_tokens    bigint NOT NULL DEFAULT 0,
  usage_output_tokens   bigint NOT NULL DEFAULT 0,
  usage_errors          bigint NOT NULL DEFAULT 0,
  metadata_json         text NOT NULL DEFAULT '{}',
  UNIQUE (owner_id, provider, name),
  UNIQUE (owner_id, provider, fingerprint)
);
CREATE INDEX api_keys_by_owner_order ON api_keys (owner_id, provider, priority, created_at, id);
-- (master_version, id): a re-wrap batch is a range scan of the keys below or above the target version.
CREATE INDEX api_keys_by_master_version ON api_keys (master_version, id);

-- No foreign keys: the trail outlives the users and keys it mentions.
CREATE TABLE audit_log (
  id             text PRIMARY KEY,
  chain          text NOT NULL,
  seq            bigint NOT NULL,
  time           bigint NOT NULL,
  action         text NOT NULL,
  outcome        text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  actor_user_id  text,
  actor_token_id text,
  actor_kind     text NOT NULL CHECK (actor_kind IN ('token', 'jwt', 'cli', 'system')),
  on_behalf_of   text,
  key_id         text,
  key_owner_id   text,
  provider       text,
  ip             text,
  user_agent     text,
  request_id     text,
  details_json   text NOT NULL DEFAULT '{}',
  master_version integer NOT NULL,
  hash           bytea NOT NULL,
  UNIQUE (chain, seq)
);
CREATE INDEX audit_log_by_time ON audit_log (time, seq, id);
CREATE INDEX audit_log_by_actor ON audit_log (actor_user_id, time, seq, id);
CREATE INDEX audit_log_by_on_behalf_of ON audit_log (on_behalf_of, time, seq, id);
CREATE INDEX audit_log_by_key_owner ON audit_log (key_owner_id, time, seq, id);
CREATE INDEX audit_log_by_key ON audit_log (key_id, time, seq, id);
CREATE INDEX audit_log_by_action ON audit_log (action, time, seq, id);
CREATE INDEX audit_log_by_master_version ON audit_log (master_version);

-- One row; every change that cached state depends on adds one (cache invalidation across processes).
CREATE TABLE store_generation (
  id         integer PRIMARY KEY CHECK (id = 1),
  generation bigint NOT NULL
);
INSERT INTO store_generation (id, generation) VALUES (1, 0);

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_of_owner ON users
  USING (id = current_setting('keyrelay.user_id', true) OR current_setting('keyrelay.scope', true) = 'all');
ALTER TABLE access_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY access_tokens_of_owner ON access_tokens
  USING (user_id = current_setting('keyrelay.user_id', true) OR current_setting('keyrelay.scope', true) = 'all');
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY api_keys_of_owner ON api_keys
  USING (owner_id = current_setting('keyrelay.user_id', true) OR current_setting('keyrelay.scope', true) = 'all');
)sql";

constexpr std::string_view kV2 = R"sql(
-- Daily usage per key. No foreign keys: usage of a deleted key still counts in its owner's totals.
CREATE TABLE usage_daily (
  key_id        text NOT NULL,
  day           text NOT NULL CHECK (length(day) = 10),  -- YYYY-MM-DD, UTC
  owner_id      text NOT NULL,
  provider      text NOT NULL,
  requests      bigint NOT NULL DEFAULT 0 CHECK (requests >= 0),
  input_tokens  bigint NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
  output_tokens bigint NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
  errors        bigint NOT NULL DEFAULT 0 CHECK (errors >= 0),
  PRIMARY KEY (key_id, day)
);
CREATE INDEX usage_daily_by_owner_day ON usage_daily (owner_id, day);

-- No foreign keys: like the audit trail, an alert outlives the key it is about.
CREATE TABLE alerts (
  id          text PRIMARY KEY,
  rule        text NOT NULL,
  severity    text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  status      text NOT NULL CHECK (status IN ('open', 'resolved')),
  user_id     text NOT NULL,
  key_id      text,
  provider    text,
  message     text NOT NULL,
  first_seen  bigint NOT NULL,
  last_seen   bigint NOT NULL,
  count       bigint NOT NULL CHECK (count >= 1),
  resolved_at bigint,
  CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
);
CREATE INDEX alerts_by_last_seen ON alerts (last_seen, id);
CREATE INDEX alerts_by_user ON alerts (user_id, last_seen, id);
CREATE INDEX alerts_by_status ON alerts (status, last_seen, id);
CREATE INDEX alerts_open_by_tuple ON alerts (rule, user_id, key_id, provider) WHERE status = 'open';

ALTER TABLE usage_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_daily FORCE ROW LEVEL SECURITY;
CREATE POLICY usage_daily_of_owner ON usage_daily
  USING (owner_id = current_setting('keyrelay.user_id', true) OR current_setting('keyrelay.scope', true) = 'all');
ALTER TABLE alerts ENABLE ROW LEVEL SECURITY;
ALTER TABLE alerts FORCE ROW LEVEL SECURITY;
CREATE POLICY alerts_of_owner ON alerts
  USING (user_id = current_setting('keyrelay.user_id', true) OR current_setting('keyrelay.scope', true) = 'all');
)sql";

constexpr std::string_view kV3 = R"sql(
DROP INDEX audit_log_by_master_version;
DROP INDEX audit_log_by_on_behalf_of;
CREATE INDEX audit_log_by_on_behalf_of ON audit_log (on_behalf_of, time, seq, id) WHERE on_behalf_of IS NOT NULL;
)sql";

constexpr std::string_view kV4 = R"sql(
CREATE TABLE audit_checkpoints (
  chain          text PRIMARY KEY,
  seq            bigint NOT NULL,
  hash           bytea NOT NULL,
  count          bigint NOT NULL,
  master_version integer NOT NULL,
  mac            bytea NOT NULL,
  created_at     bigint NOT NULL
);
CREATE INDEX api_keys_by_expiry ON api_keys (expires_at) WHERE expires_at IS NOT NULL;
)sql";

constexpr std::string_view kV5 = R"sql(
CREATE TABLE nodes (
  id              text PRIMARY KEY,  -- the server's audit writer id, node-<12 hex>
  pid             bigint NOT NULL,
  hostname        text NOT NULL,
  started_at      bigint NOT NULL,
  heartbeat_at    bigint NOT NULL,
  live_until      bigint NOT NULL,  -- heartbeat_at + the server's node timeout
  loaded_versions text NOT NULL,    -- master versions it can open: ascending, comma-separated
  active_version  integer NOT NULL  -- the master version it seals under
);
CREATE INDEX nodes_by_live_until ON nodes (live_until);
)sql";

// SQLite's version 6 rebuilds its audit log so that inserts build no temporary b-tree for the
// CHECK ... IN lists; PostgreSQL evaluates those lists in place, so its schema stays as it is. The
// step exists to keep both stores' versions in step (store copy and restore compare them).
constexpr std::string_view kV6 = R"sql(
SELECT 1;
)sql";

// Usage per key, model and day, with its cost (see the SQLite version): the table is rebuilt, and
// its row-level security with it.
constexpr std::string_view kV7 = R"sql(
CREATE TABLE usage_daily_v7 (
  key_id            text NOT NULL,
  day               text NOT NULL CHECK (length(day) = 10),  -- YYYY-MM-DD, UTC
  owner_id          text NOT NULL,
  provider          text NOT NULL,
  requests          bigint NOT NULL DEFAULT 0 CHECK (requests >= 0),
  input_tokens      bigint NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
  output_tokens     bigint NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
  errors            bigint NOT NULL DEFAULT 0 CHECK (errors >= 0),
  model             text NOT NULL DEFAULT '',
  cost_micro_usd    bigint NOT NULL DEFAULT 0 CHECK (cost_micro_usd >= 0),
  unpriced_requests bigint NOT NULL DEFAULT 0 CHECK (unpriced_requests >= 0 AND unpriced_requests <= requests),
  CONSTRAINT usage_daily_v7_pkey PRIMARY KEY (key_id, day, model)
);
INSERT INTO usage_daily_v7 (key_id, day, owner_id, provider, requests, input_tokens, output_tokens, errors, model,
                            cost_micro_usd, unpriced_requests)
  SELECT key_id, day, owner_id, provider, requests, input_tokens, output_tokens, errors, '', 0, requests FROM usage_daily;
DROP TABLE usage_daily;
ALTER TABLE usage_daily_v7 RENAME TO usage_daily;
ALTER TABLE usage_daily RENAME CONSTRAINT usage_daily_v7_pkey TO usage_daily_pkey;
CREATE INDEX usage_daily_by_owner_day ON usage_daily (owner_id, day);
ALTER TABLE usage_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_daily FORCE ROW LEVEL SECURITY;
CREATE POLICY usage_daily_of_owner ON usage_daily
  USING (owner_id = current_setting('keyrelay.user_id', true) OR current_setting('keyrelay.scope', true) = 'all');
)sql";

// Spend caps and each user's default-key spend per day (see the SQLite version), with the row-level
// security of their neighbours: a row belongs to owner_id / user_id.
constexpr std::string_view kV8 = R"sql(
CREATE TABLE spend_caps (
  subject           text NOT NULL CHECK (subject IN ('user', 'key', 'default_key_allowance')),
  subject_id        text NOT NULL,
  owner_id          text NOT NULL,
  daily_micro_usd   bigint CHECK (daily_micro_usd >= 0),
  monthly_micro_usd bigint CHECK (monthly_micro_usd >= 0),
  updated_at        bigint NOT NULL,
  PRIMARY KEY (subject, subject_id)
);
CREATE INDEX spend_caps_by_owner ON spend_caps (owner_id);

CREATE TABLE default_key_spend_daily (
  user_id        text NOT NULL,
  day            text NOT NULL CHECK (length(day) = 10),
  cost_micro_usd bigint NOT NULL DEFAULT 0 CHECK (cost_micro_usd >= 0),
  PRIMARY KEY (user_id, day)
);
CREATE INDEX usage_daily_by_key_day ON usage_daily (key_id, day);

ALTER TABLE spend_caps ENABLE ROW LEVEL SECURITY;
ALTER TABLE spend_caps FORCE ROW LEVEL SECURITY;
CREATE POLICY spend_caps_of_owner ON spend_caps
  USING (owner_id = current_setting('keyrelay.user_id', true) OR current_setting('keyrelay.scope', true) = 'all');
ALTER TABLE default_key_spend_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE default_key_spend_daily FORCE ROW LEVEL SECURITY;
CREATE POLICY default_key_spend_daily_of_user ON default_key_spend_daily
  USING (user_id = current_setting('keyrelay.user_id', true) OR current_setting('keyrelay.scope', true) = 'all');
)sql";

// The audit indexes leave out what key.used events need not be in (see the SQLite version): the
// key-owner index only events whose key owner is not their actor, the action index only actions
// other than key.used. Queries spell out the same conditions (postgres_store_audit.cpp).
constexpr std::string_view kV9 = R"sql(
DROP INDEX audit_log_by_key_owner;
CREATE INDEX audit_log_by_key_owner ON audit_log (key_owner_id, time, seq, id)
  WHERE key_owner_id IS DISTINCT FROM actor_user_id;
DROP INDEX audit_log_by_action;
CREATE INDEX audit_log_by_action ON audit_log (action, time, seq, id) WHERE action <> 'key.used';
)sql";

// SQLite rebuilds api_keys and alerts with their checks as comparisons; PostgreSQL needs no change.
constexpr std::string_view kV10 = R"sql(
SELECT 1;
)sql";

constexpr std::array kMigrations{
    Migration{1, "runtime role, users, access tokens, provider keys, audit log, store generation; RLS", kV1},
    Migration{2, "daily usage per key, alerts; RLS", kV2},
    Migration{3, "leaner audit indexes for high-volume key.used", kV3},
    Migration{4, "audit pruning checkpoints, key expiry index", kV4},
    Migration{5, "nodes: the servers sharing the database and the master keys they hold", kV5},
    Migration{6, "none (SQLite's audit log checks as comparisons; PostgreSQL needs no change)", kV6},
    Migration{7, "usage per key, model and day, with its cost in micro-USD; RLS", kV7},
    Migration{8, "spend caps per user, key and default-key allowance; default-key spend per user and day; RLS", kV8},
    Migration{9, "audit indexes leave out what key.used events need not be in", kV9},
    Migration{10, "none (SQLite's key and alert checks as comparisons; PostgreSQL needs no change)", kV10},
};

}  // namespace

std::span<const Migration> migrations() noexcept { return kMigrations; }

int latest_schema_version() noexcept { return kMigrations.back().version; }

}  // namespace keyrelay::store::postgres
