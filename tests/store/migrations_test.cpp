#include "store/sqlite/migrations.h"

#include <gtest/gtest.h>

#include "raw_sqlite.h"
#include "store/sqlite/row_mapping.h"
#include "store/sqlite/sqlite_store.h"
#include "store_contract.h"
#include "support/temp_dir.h"
#include "test_sealer.h"

namespace keyrelay::store::sqlite {
namespace {

TEST(SqliteMigrations, VersionsStartAtOneWithoutGaps) {
  int expected = 1;
  for (const auto& migration : migrations()) {
    EXPECT_EQ(migration.version, expected++);
    EXPECT_FALSE(migration.summary.empty());
    EXPECT_FALSE(migration.script.empty());
  }
  EXPECT_EQ(latest_schema_version(), expected - 1);
}

TEST(SqliteMigrations, CreateTheTablesOfTheArchitectureAndNothingMore) {
  keyrelay::test::TempDir dir;
  auto conn = Connection::open(dir / "m.db", std::chrono::milliseconds{1000});
  ASSERT_TRUE(conn) << conn.error().message;
  auto before = read_schema_version(**conn);
  ASSERT_TRUE(before);
  EXPECT_EQ(*before, 0);
  auto applied = apply_migrations(**conn);
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(*applied, latest_schema_version());
  auto again = apply_migrations(**conn);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);

  store::test::RawSqlite raw(dir / "m.db");
  EXPECT_EQ(raw.text("SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master "
                     "WHERE type = 'table' ORDER BY name)"),
            "access_tokens alerts api_keys audit_checkpoints audit_log default_key_spend_daily nodes schema_migrations "
            "spend_caps store_generation usage_daily users");
  EXPECT_EQ(raw.integer("SELECT count(*) FROM store_generation"), 1);
}

TEST(SqliteMigrations, SchemaEnforcesTheRecordRules) {
  keyrelay::test::TempDir dir;
  auto conn = Connection::open(dir / "m.db", std::chrono::milliseconds{1000});
  ASSERT_TRUE(conn);
  ASSERT_TRUE(apply_migrations(**conn));
  for (std::string_view bad : {
           "INSERT INTO users VALUES ('u2', 'n', 'root', NULL, x'00', 0)",                // unknown role
           "INSERT INTO access_tokens VALUES ('t', 'nobody', 'n', x'01', '', 0, NULL, NULL, NULL)",  // no user
           "INSERT INTO store_generation VALUES (2, 0)",                                   // one row only
           "INSERT INTO alerts VALUES ('a', 'r', 'fatal', 'open', 'u', NULL, NULL, 'm', 0, 0, 1, NULL)",  // severity
           "INSERT INTO alerts VALUES ('a', 'r', 'info', 'resolved', 'u', NULL, NULL, 'm', 0, 0, 1, NULL)",  // no time
           "INSERT INTO alerts VALUES ('a', 'r', 'info', 'open', 'u', NULL, NULL, 'm', 0, 0, 0, NULL)",  // count 0
           "INSERT INTO usage_daily VALUES ('k', '2026-1-1', 'u', 'p', 1, 0, 0, 0, 'm', 0, 0)",     // not a day
           "INSERT INTO usage_daily VALUES ('k', '2026-01-01', 'u', 'p', -1, 0, 0, 0, 'm', 0, 0)",  // negative
           "INSERT INTO usage_daily VALUES ('k', '2026-01-01', 'u', 'p', 1, 0, 0, 0, 'm', -1, 0)",  // negative cost
           "INSERT INTO usage_daily VALUES ('k', '2026-01-01', 'u', 'p', 1, 0, 0, 0, 'm', 0, 2)",   // unpriced > requests
       }) {
    EXPECT_FALSE((*conn)->exec(bad, "test")) << bad;
  }
  EXPECT_TRUE((*conn)->exec("INSERT INTO usage_daily VALUES ('k', '2026-01-01', 'u', 'p', 2, 0, 0, 0, 'm', 5, 2)",
                            "test"))
      << "the rows the checks refuse differ from this one in one column each";
  EXPECT_TRUE((*conn)->exec("INSERT INTO users VALUES ('u1', 'n', 'user', NULL, x'00', 0)", "test"));
  auto duplicate = (*conn)->exec("INSERT INTO users VALUES ('u3', 'n', 'user', NULL, x'00', 0)", "test");
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, core::Errc::conflict);
}

// A database written by a keyrelay that knew only version 1 (with a user and a key in it) is
// brought to the latest version by migrate(), keeps its rows, and serves usage and alerts.
TEST(SqliteMigrations, UpgradesAVersionOneDatabase) {
  keyrelay::test::TempDir dir;
  const auto file = dir / "v1.db";
  {
    auto conn = Connection::open(file, std::chrono::milliseconds{1000});
    ASSERT_TRUE(conn) << conn.error().message;
    ASSERT_TRUE((*conn)->exec(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)", "test"));
    ASSERT_TRUE((*conn)->exec(migrations()[0].script, "test"));
    ASSERT_TRUE((*conn)->exec(
        "INSERT INTO schema_migrations VALUES (1, 0);"
        "INSERT INTO users VALUES ('u1', 'alice', 'user', NULL, x'00', 0);"
        "INSERT INTO api_keys (id, owner_id, provider, name, hint, fingerprint, wrapped_data_key, sealed_secret, "
        "master_version, version, enabled, validation_state, priority, always_use, created_at, updated_at, "
        "usage_requests) VALUES ('k1', 'u1', 'openai', 'work', '...', x'01', x'02', x'03', 1, 1, 1, 'unknown', 0, 0, "
        "0, 0, 7);",
        "test"));
  }
  store::test::TestSealer sealer;
  SqliteOptions options;
  options.file = file;
  auto opened = SqliteStore::open(options, sealer);
  ASSERT_TRUE(opened) << opened.error().message;
  auto& store = **opened;
  auto before = store.schema_version();
  ASSERT_TRUE(before);
  EXPECT_EQ(*before, 1);
  auto applied = store.migrate();
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(*applied, latest_schema_version() - 1);
  auto after = store.schema_version();
  ASSERT_TRUE(after);
  EXPECT_EQ(*after, latest_schema_version());
  EXPECT_EQ(latest_schema_version(), 10);

  auto nodes = store.live_nodes(store::test::at(0));
  ASSERT_TRUE(nodes) << nodes.error().message;
  EXPECT_TRUE(nodes->empty());

  UsageDelta delta{"k1", "u1", "openai", store::test::at(10), 2, 20, 40, 0};
  ASSERT_TRUE(store.add_usage({delta}));
  auto key = store.get_key("u1", "k1");
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->usage.requests, 9);
  auto rows = store.usage({"u1", "2026-01-01", "2026-01-01", true, true, true});
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].requests, 2);

  AlertRecord alert;
  alert.id = "a1";
  alert.rule = "key.invalid";
  alert.user_id = "u1";
  alert.message = "m";
  AuditEvent event;
  event.id = "e1";
  event.chain = "node/mgmt";
  event.action = "alert.raised";
  ASSERT_TRUE(store.raise_alert(alert, event));
  auto alerts = store.list_alerts({}, PageRequest{});
  ASSERT_TRUE(alerts);
  EXPECT_EQ(alerts->items.size(), 1u);
}

// Version 6 rebuilds the audit log (its CHECKs as comparisons): every event keeps its row, the
// checks still refuse what they refused, and the indexes are all back.
TEST(SqliteMigrations, VersionSixKeepsEveryAuditEventAndItsRules) {
  keyrelay::test::TempDir dir;
  auto conn = Connection::open(dir / "m.db", std::chrono::milliseconds{1000});
  ASSERT_TRUE(conn);
  ASSERT_TRUE((*conn)->exec(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)", "test"));
  for (const auto& migration : migrations().first(5)) ASSERT_TRUE((*conn)->exec(migration.script, "test"));
  ASSERT_TRUE((*conn)->exec("INSERT INTO schema_migrations VALUES (1, 0), (2, 0), (3, 0), (4, 0), (5, 0);"
                            "INSERT INTO audit_log (id, chain, seq, time, action, outcome, actor_kind, on_behalf_of, "
                            "details_json, master_version, hash) VALUES "
                            "('e1', 'c', 1, 10, 'key.used', 'success', 'token', NULL, '{}', 1, x'aa'),"
                            "('e2', 'c', 2, 11, 'key.created', 'denied', 'cli', 'u9', '{\"a\":1}', 1, x'bb');",
                            "test"));
  auto applied = apply_migrations(**conn);
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(*applied, latest_schema_version() - 5);

  store::test::RawSqlite raw(dir / "m.db");
  EXPECT_EQ(raw.text("SELECT group_concat(id || seq || outcome || actor_kind || coalesce(on_behalf_of, '-') || "
                     "details_json || hex(hash), ' ') FROM (SELECT * FROM audit_log ORDER BY seq)"),
            "e11successtoken-{}AA e22deniedcliu9{\"a\":1}BB");
  EXPECT_EQ(raw.text("SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE type = 'index' "
                     "AND tbl_name = 'audit_log' AND name NOT LIKE 'sqlite_%' ORDER BY name)"),
            "audit_log_by_action audit_log_by_actor audit_log_by_key audit_log_by_key_owner audit_log_by_on_behalf_of "
            "audit_log_by_time");
  for (std::string_view bad : {
           "INSERT INTO audit_log (id, chain, seq, time, action, outcome, actor_kind, master_version, hash) "
           "VALUES ('e3', 'c', 3, 12, 'x', 'maybe', 'cli', 1, x'cc')",  // unknown outcome
           "INSERT INTO audit_log (id, chain, seq, time, action, outcome, actor_kind, master_version, hash) "
           "VALUES ('e3', 'c', 3, 12, 'x', 'success', 'robot', 1, x'cc')",  // unknown actor kind
           "INSERT INTO audit_log (id, chain, seq, time, action, outcome, actor_kind, master_version, hash) "
           "VALUES ('e3', 'c', 2, 12, 'x', 'success', 'cli', 1, x'cc')",  // seq taken in the chain
       }) {
    EXPECT_FALSE((*conn)->exec(bad, "test")) << bad;
  }
}

// How many temporary b-trees the plan of `sql` opens (SQLite builds one, on every run, for a
// CHECK ... IN list of three or more values).
int temporary_tables_in_plan(Connection& conn, std::string_view sql) {
  auto explain = conn.prepare("EXPLAIN " + std::string(sql));
  EXPECT_TRUE(explain) << explain.error().message;
  if (!explain) return -1;
  int ephemeral = 0, opcodes = 0;
  for (;;) {
    auto row = explain->step("explaining");
    EXPECT_TRUE(row);
    if (!row || !*row) break;
    ++opcodes;
    if (explain->text_at(1) == "OpenEphemeral") ++ephemeral;
  }
  EXPECT_GT(opcodes, 10) << sql;
  return ephemeral;
}

// The writes that run per gateway call (key.used), per key create or validation, and per alert
// raised must not build a temporary table on every run.
TEST(SqliteMigrations, WritesOnBusyPathsBuildNoTemporaryTable) {
  keyrelay::test::TempDir dir;
  auto conn = Connection::open(dir / "m.db", std::chrono::milliseconds{1000});
  ASSERT_TRUE(conn);
  ASSERT_TRUE(apply_migrations(**conn));
  for (std::string_view sql : {
           kInsertAudit,
           kInsertKey,
           kInsertAlert,
           kUpdateKey,
           std::string_view("UPDATE alerts SET severity = ?2, message = ?3, last_seen = ?4, count = ?5 WHERE id = ?1"),
       }) {
    EXPECT_EQ(temporary_tables_in_plan(**conn, sql), 0) << sql;
  }
}

// Version 10 rebuilds api_keys and alerts (their CHECKs as comparisons): every row is kept, the
// checks still refuse what they refused, and the indexes are all back.
TEST(SqliteMigrations, VersionTenKeepsEveryKeyAndAlertAndTheirRules) {
  keyrelay::test::TempDir dir;
  auto conn = Connection::open(dir / "m.db", std::chrono::milliseconds{1000});
  ASSERT_TRUE(conn);
  ASSERT_TRUE((*conn)->exec(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)", "test"));
  for (const auto& migration : migrations().first(9)) ASSERT_TRUE((*conn)->exec(migration.script, "test"));
  ASSERT_TRUE((*conn)->exec(
      "INSERT INTO schema_migrations VALUES (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (8, 0), (9, 0);"
      "INSERT INTO users (id, name, role, salt, created_at) VALUES ('u1', 'ann', 'user', x'00', 0);"
      "INSERT INTO api_keys (id, owner_id, provider, name, hint, fingerprint, wrapped_data_key, sealed_secret, "
      "master_version, version, enabled, validation_state, validation_checked_at, validation_message, priority, "
      "always_use, expires_at, created_at, updated_at, last_used_at, usage_requests, metadata_json) VALUES "
      "('k1', 'u1', 'openai', 'work', 'sk-...1', x'01', x'02', x'03', 1, 2, 1, 'invalid', 5, 'no', 3, 1, 99, 4, 6, 7, "
      "8, '{\"a\":1}');"
      "INSERT INTO alerts (id, rule, severity, status, user_id, key_id, provider, message, first_seen, last_seen, "
      "count, resolved_at) VALUES ('a1', 'burst', 'critical', 'resolved', 'u1', 'k1', 'openai', 'm', 1, 2, 3, 4);",
      "test"));
  auto applied = apply_migrations(**conn);
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(*applied, latest_schema_version() - 9);

  store::test::RawSqlite raw(dir / "m.db");
  EXPECT_EQ(raw.text("SELECT id || owner_id || provider || name || hint || hex(fingerprint) || hex(wrapped_data_key) "
                     "|| hex(sealed_secret) || master_version || version || enabled || validation_state || "
                     "validation_checked_at || validation_message || priority || always_use || expires_at || "
                     "created_at || updated_at || last_used_at || usage_requests || metadata_json FROM api_keys"),
            "k1u1openaiworksk-...1010203121invalid5no31994678{\"a\":1}");
  EXPECT_EQ(raw.text("SELECT id || rule || severity || status || user_id || key_id || provider || message || "
                     "first_seen || last_seen || count || resolved_at FROM alerts"),
            "a1burstcriticalresolvedu1k1openaim1234");
  EXPECT_EQ(raw.text("SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE type = 'index' "
                     "AND tbl_name IN ('api_keys', 'alerts') AND name NOT LIKE 'sqlite_%' ORDER BY name)"),
            "alerts_by_last_seen alerts_by_status alerts_by_user alerts_open_by_tuple api_keys_by_expiry "
            "api_keys_by_master_version api_keys_by_owner_order");
  for (std::string_view bad : {
           "UPDATE api_keys SET validation_state = 'maybe' WHERE id = 'k1'",  // unknown validation state
           "UPDATE api_keys SET enabled = 2 WHERE id = 'k1'",
           "INSERT INTO api_keys (id, owner_id, provider, name, hint, fingerprint, wrapped_data_key, sealed_secret, "
           "master_version, version, enabled, validation_state, priority, always_use, created_at, updated_at) VALUES "
           "('k2', 'u1', 'openai', 'work', 'h', x'09', x'02', x'03', 1, 1, 1, 'unknown', 0, 0, 0, 0)",  // name taken
           "INSERT INTO api_keys (id, owner_id, provider, name, hint, fingerprint, wrapped_data_key, sealed_secret, "
           "master_version, version, enabled, validation_state, priority, always_use, created_at, updated_at) VALUES "
           "('k3', 'nobody', 'openai', 'x', 'h', x'0a', x'02', x'03', 1, 1, 1, 'unknown', 0, 0, 0, 0)",  // no such owner
           "UPDATE alerts SET severity = 'loud' WHERE id = 'a1'",  // unknown severity
           "UPDATE alerts SET resolved_at = NULL WHERE id = 'a1'",  // resolved without a time
       }) {
    EXPECT_FALSE((*conn)->exec(bad, "test")) << bad;
  }
  // The owner's deletion still takes the key with it.
  ASSERT_TRUE((*conn)->exec("DELETE FROM users WHERE id = 'u1'", "test"));
  EXPECT_EQ(raw.text("SELECT count(*) FROM api_keys"), "0");
}

// Version 7 gives usage a model and a cost: rows from before keep their counts, name no model and
// count every request as unpriced (their cost reads null, never 0).
TEST(SqliteMigrations, UsageFromBeforeCostsAreKnownIsUnpriced) {
  keyrelay::test::TempDir dir;
  const auto file = dir / "v5.db";
  {
    auto conn = Connection::open(file, std::chrono::milliseconds{1000});
    ASSERT_TRUE(conn) << conn.error().message;
    ASSERT_TRUE((*conn)->exec(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)", "test"));
    for (int v = 0; v < 5; ++v) {
      ASSERT_TRUE((*conn)->exec(migrations()[v].script, "test")) << v;
      ASSERT_TRUE((*conn)->exec("INSERT INTO schema_migrations VALUES (" + std::to_string(v + 1) + ", 0)", "test"));
    }
    ASSERT_TRUE((*conn)->exec(
        "INSERT INTO usage_daily VALUES ('k1', '2026-01-01', 'u1', 'openai', 4, 40, 80, 1)", "test"));
  }
  store::test::TestSealer sealer;
  SqliteOptions options;
  options.file = file;
  auto opened = SqliteStore::open(options, sealer);
  ASSERT_TRUE(opened) << opened.error().message;
  auto applied = (*opened)->migrate();
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(*applied, latest_schema_version() - 5);  // 6 (audit checks), 7, 8 (caps) and on
  UsageQuery q{"u1", "2026-01-01", "2026-01-01", true, true, true};
  q.by_model = true;
  auto rows = (*opened)->usage(q);
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].requests, 4);
  EXPECT_EQ((*rows)[0].output_tokens, 80);
  EXPECT_EQ((*rows)[0].errors, 1);
  EXPECT_EQ((*rows)[0].model, "");
  EXPECT_EQ((*rows)[0].cost_micro_usd, 0);
  EXPECT_EQ((*rows)[0].unpriced_requests, 4);
}

}  // namespace
}  // namespace keyrelay::store::sqlite
