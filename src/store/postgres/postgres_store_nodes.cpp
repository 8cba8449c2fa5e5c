// PostgresStore: the servers sharing the database (nodes) and master-key changes decided on them.
// Nodes and master-key changes concern every owner: the admin path.

#include <charconv>

#include "store/postgres/audit_append.h"
#include "store/postgres/connection_pool.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/row_mapping.h"
#include "store/postgres/transaction.h"

namespace keyrelay::store {

using postgres::Access;
using postgres::Connection;
using postgres::Params;

namespace {

constexpr std::string_view kNodeColumns =
    "id, pid, hostname, started_at, heartbeat_at, live_until, loaded_versions, active_version";

// "1,2,5" for {1, 2, 5}, as on SQLite.
std::string versions_text(const std::vector<std::uint32_t>& versions) {
  std::string text;
  for (const auto v : versions) text += (text.empty() ? "" : ",") + std::to_string(v);
  return text;
}

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

core::Result<NodeRecord> read_node(const postgres::Row& row) {
  NodeRecord node;
  node.id = row.text_at(0);
  node.pid = row.int_at(1);
  node.hostname = row.text_at(2);
  node.started_at = row.time_at(3);
  node.heartbeat_at = row.time_at(4);
  node.live_until = row.time_at(5);
  auto versions = parse_versions(row.text_at(6));
  if (!versions) return versions.error();
  node.loaded_versions = std::move(*versions);
  node.active_version = static_cast<std::uint32_t>(row.int_at(7));
  return node;
}

core::Result<std::vector<NodeRecord>> read_live_nodes(Connection& conn, TimePoint now) {
  static const std::string kSql = postgres::select_sql(kNodeColumns, "FROM nodes WHERE live_until >= $1 ORDER BY id");
  auto rows = conn.query(kSql, Params().time(now), "live_nodes");
  if (!rows) return rows.error();
  return postgres::read_all<NodeRecord>(*rows, read_node);
}

}  // namespace

core::Result<void> PostgresStore::record_node(const NodeRecord& node, TimePoint forget_before) {
  return postgres::run_transaction(
      *pool_, Access::admin(), postgres::Mode::write, postgres::Bump::none, [&](Connection& c) -> core::Result<void> {
        if (auto forgot = c.query("DELETE FROM nodes WHERE live_until < $1", Params().time(forget_before),
                                  "forgetting gone nodes");
            !forgot)
          return forgot.error();
        Params p;
        p.text(node.id).integer(node.pid).text(node.hostname).time(node.started_at).time(node.heartbeat_at);
        p.time(node.live_until).text(versions_text(node.loaded_versions)).integer(node.active_version);
        auto upserted = c.query(
            "INSERT INTO nodes (id, pid, hostname, started_at, heartbeat_at, live_until, loaded_versions, "
            "active_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO UPDATE SET "
            "pid = excluded.pid, hostname = excluded.hostname, started_at = excluded.started_at, "
            "heartbeat_at = excluded.heartbeat_at, live_until = excluded.live_until, "
            "loaded_versions = excluded.loaded_versions, active_version = excluded.active_version",
            p, "record_node");
        if (!upserted) return upserted.error();
        return core::ok();
      });
}

core::Result<void> PostgresStore::remove_node(std::string_view id) {
  return postgres::run_transaction(
      *pool_, Access::admin(), postgres::Mode::write, postgres::Bump::none, [&](Connection& c) -> core::Result<void> {
        auto removed = c.query("DELETE FROM nodes WHERE id = $1", Params().text(id), "remove_node");
        if (!removed) return removed.error();
        return core::ok();
      });
}

core::Result<std::vector<NodeRecord>> PostgresStore::live_nodes(TimePoint now) {
  return postgres::read_transaction(*pool_, Access::admin(), [&](Connection& c) { return read_live_nodes(c, now); });
}

core::Result<void> PostgresStore::record_master_key_change(TimePoint now, const MasterKeyDecision& decide) {
  return postgres::run_transaction(
      *pool_, Access::admin(), postgres::Mode::write, postgres::Bump::none, [&](Connection& c) -> core::Result<void> {
        // SHARE mode lets readers on but no writer: no key can be stored under, and no node row can
        // change, what is decided here before this commits (SQLite's BEGIN IMMEDIATE).
        if (auto locked = c.exec("LOCK TABLE api_keys, nodes IN SHARE MODE", "locking keys and nodes"); !locked)
          return locked.error();
        MasterKeyFacts facts;
        auto nodes = read_live_nodes(c, now);
        if (!nodes) return nodes.error();
        facts.live_nodes = std::move(*nodes);
        auto rows = c.query("SELECT master_version, count(*) FROM api_keys GROUP BY master_version",
                            "counting keys per master version");
        if (!rows) return rows.error();
        for (int i = 0; i < rows->size(); ++i)
          facts.key_rows[static_cast<std::uint32_t>(rows->int_at(i, 0))] += rows->int_at(i, 1);
        auto event = decide(facts);
        if (!event) return event.error();
        return postgres::append_audit_event(c, sealer_, *event);
      });
}

}  // namespace keyrelay::store
