// SqliteStore: the servers sharing the database (nodes) and master-key changes decided on them.

#include <charconv>

#include "store/sqlite/audit_append.h"
#include "store/sqlite/connection_pool.h"
#include "store/sqlite/query_helpers.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/transaction.h"
#include "store/sqlite/write_batcher.h"

namespace keyrelay::store {

using sqlite::Connection;
using sqlite::Statement;

namespace {

constexpr std::string_view kNodeColumns =
    "id, pid, hostname, started_at, heartbeat_at, live_until, loaded_versions, active_version";

// "1,2,5" for {1, 2, 5}.
std::string versions_text(const std::vector<std::uint32_t>& versions) {
  std::string text;
  for (const auto v : versions) text += (text.empty() ? "" : ",") + std::to_string(v);
  return text;
}

// The versions of "1,2,5"; internal for anything else (a row written by something else).
core::Result<std::vector<std::uint32_t>> parse_versions(std::string_view text) {
  std::vector<std::uint32_t> versions;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    std::uint32_t v = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (ec != std::errc{} || end != item.data() + item.size() || v == 0)
      return core::Error::internal("nodes.loaded_versions holds '" + std::string(item) + "'");
    versions.push_back(v);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return versions;
}

core::Result<NodeRecord> read_node(const Statement& stmt) {
  NodeRecord node;
  node.id = stmt.text_at(0);
  node.pid = stmt.int_at(1);
  node.hostname = stmt.text_at(2);
  node.started_at = stmt.time_at(3);
  node.heartbeat_at = stmt.time_at(4);
  node.live_until = stmt.time_at(5);
  auto versions = parse_versions(stmt.text_at(6));
  if (!versions) return versions.error();
  node.loaded_versions = std::move(*versions);
  node.active_version = static_cast<std::uint32_t>(stmt.int_at(7));
  return node;
}

core::Result<std::vector<NodeRecord>> read_live_nodes(Connection& conn, TimePoint now) {
  static const std::string kSql = sqlite::select_sql(kNodeColumns, "FROM nodes WHERE live_until >= ?1 ORDER BY id");
  auto stmt = conn.prepare(kSql);
  if (!stmt) return stmt.error();
  stmt->bind_time(1, now);
  std::vector<NodeRecord> nodes;
  for (;;) {
    auto row = stmt->step("live_nodes");
    if (!row) return row.error();
    if (!*row) return nodes;
    auto node = read_node(*stmt);
    if (!node) return node.error();
    nodes.push_back(std::move(*node));
  }
}

core::Result<std::map<std::uint32_t, std::int64_t>> read_key_rows(Connection& conn) {
  auto stmt = conn.prepare("SELECT master_version, count(*) FROM api_keys GROUP BY master_version");
  if (!stmt) return stmt.error();
  std::map<std::uint32_t, std::int64_t> rows;
  for (;;) {
    auto row = stmt->step("counting keys per master version");
    if (!row) return row.error();
    if (!*row) return rows;
    rows[static_cast<std::uint32_t>(stmt->int_at(0))] += stmt->int_at(1);
  }
}

}  // namespace

core::Result<void> SqliteStore::record_node(const NodeRecord& node, TimePoint forget_before) {
  return writer_->write(sqlite::Bump::none, [&](sqlite::Connection& c) -> core::Result<void> {
    auto forget = c.prepare("DELETE FROM nodes WHERE live_until < ?1");
    if (!forget) return forget.error();
    forget->bind_time(1, forget_before);
    if (auto done = forget->run("forgetting gone nodes"); !done) return done;
    auto upsert = c.prepare(
        "INSERT OR REPLACE INTO nodes (id, pid, hostname, started_at, heartbeat_at, live_until, loaded_versions, "
        "active_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!upsert) return upsert.error();
    upsert->bind_text(1, node.id);
    upsert->bind_int(2, node.pid);
    upsert->bind_text(3, node.hostname);
    upsert->bind_time(4, node.started_at);
    upsert->bind_time(5, node.heartbeat_at);
    upsert->bind_time(6, node.live_until);
    upsert->bind_text(7, versions_text(node.loaded_versions));
    upsert->bind_int(8, node.active_version);
    return upsert->run("record_node");
  });
}

core::Result<void> SqliteStore::remove_node(std::string_view id) {
  return writer_->write(sqlite::Bump::none, [&](sqlite::Connection& c) -> core::Result<void> {
    auto remove = c.prepare("DELETE FROM nodes WHERE id = ?1");
    if (!remove) return remove.error();
    remove->bind_text(1, id);
    return remove->run("remove_node");
  });
}

core::Result<std::vector<NodeRecord>> SqliteStore::live_nodes(TimePoint now) {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  return read_live_nodes(**conn, now);
}

core::Result<void> SqliteStore::record_master_key_change(TimePoint now, const MasterKeyDecision& decide) {
  // BEGIN IMMEDIATE: no key can be stored under, and no node row can change, what was checked
  // before this commits.
  return writer_->write(sqlite::Bump::none, [&](sqlite::Connection& c) -> core::Result<void> {
    MasterKeyFacts facts;
    auto nodes = read_live_nodes(c, now);
    if (!nodes) return nodes.error();
    facts.live_nodes = std::move(*nodes);
    auto rows = read_key_rows(c);
    if (!rows) return rows.error();
    facts.key_rows = std::move(*rows);
    auto event = decide(facts);
    if (!event) return event.error();
    return sqlite::append_audit_event(c, sealer_, *event);
  });
}

}  // namespace keyrelay::store
