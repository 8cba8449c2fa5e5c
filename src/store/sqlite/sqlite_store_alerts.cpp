// SqliteStore: alerts (raising with coalescing, listing newest first, resolving).

#include <algorithm>

#include "store/sqlite/audit_append.h"
#include "store/sqlite/connection_pool.h"
#include "store/sqlite/cursor.h"
#include "store/sqlite/paging.h"
#include "store/sqlite/query_helpers.h"
#include "store/sqlite/row_mapping.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/transaction.h"
#include "store/sqlite/write_batcher.h"

namespace keyrelay::store {

using sqlite::Bump;
using sqlite::Connection;
using sqlite::Statement;

namespace {

constexpr char kAlertList = 'l';

// Newest first: the page continues below the last row's (last_seen, id).
struct AlertPosition {
  std::int64_t last_seen_ms = 0;
  std::string id;
};

core::Result<std::optional<AlertPosition>> parse_alert_cursor(const PageRequest& page) {
  if (!page.cursor) return std::optional<AlertPosition>();
  auto reader = sqlite::CursorReader::open(*page.cursor, kAlertList);
  if (!reader) return reader.error();
  auto last_seen = reader->next_int();
  if (!last_seen) return last_seen.error();
  auto id = reader->next_text();
  if (!id) return id.error();
  if (auto done = reader->finish(); !done) return done.error();
  return std::optional<AlertPosition>(AlertPosition{*last_seen, std::move(*id)});
}

std::string alert_cursor(const AlertRecord& last) {
  return sqlite::CursorWriter(kAlertList).add(sqlite::to_unix_ms(last.last_seen)).add(last.id).finish();
}

// `t` as the store keeps it (whole milliseconds).
TimePoint as_stored(TimePoint t) { return sqlite::from_unix_ms(sqlite::to_unix_ms(t)); }

core::Result<AlertRecord> load_alert(Connection& conn, std::string_view id, std::optional<std::string_view> user_id) {
  static const std::string kById = sqlite::select_sql(sqlite::kAlertColumns, "FROM alerts WHERE id = ?1");
  static const std::string kByIdAndUser =
      sqlite::select_sql(sqlite::kAlertColumns, "FROM alerts WHERE id = ?1 AND user_id = ?2");
  return sqlite::find_one<AlertRecord>(
      conn, user_id ? kByIdAndUser : kById, "loading an alert", "alert not found",
      [&](Statement& s) {
        s.bind_text(1, id);
        if (user_id) s.bind_text(2, *user_id);
      },
      sqlite::read_alert);
}

// The open alert a raise of `alert` coalesces into, if any. IS compares absent with absent.
core::Result<std::optional<AlertRecord>> find_open_twin(Connection& conn, const AlertRecord& alert) {
  static const std::string kSql = sqlite::select_sql(
      sqlite::kAlertColumns,
      "FROM alerts WHERE status = 'open' AND rule = ?1 AND user_id = ?2 AND key_id IS ?3 AND provider IS ?4 "
      "ORDER BY last_seen DESC, id DESC LIMIT 1");
  auto twin = sqlite::find_one<AlertRecord>(
      conn, kSql, "finding an open alert", "no open alert",
      [&](Statement& s) {
        s.bind_text(1, alert.rule);
        s.bind_text(2, alert.user_id);
        s.bind_text(3, alert.key_id);
        s.bind_text(4, alert.provider);
      },
      sqlite::read_alert);
  if (twin) return std::optional<AlertRecord>(std::move(*twin));
  if (twin.error().code == core::Errc::not_found) return std::optional<AlertRecord>();
  return twin.error();
}

// Folds a repeat raise into the open alert `open`: count + 1, last_seen forward, higher severity,
// newest message.
core::Result<AlertRecord> coalesce(Connection& conn, AlertRecord open, const AlertRecord& repeat) {
  open.count += 1;
  open.last_seen = std::max(open.last_seen, as_stored(repeat.last_seen));
  open.severity = std::max(open.severity, repeat.severity);
  open.message = repeat.message;
  auto update = conn.prepare("UPDATE alerts SET severity = ?2, message = ?3, last_seen = ?4, count = ?5 WHERE id = ?1");
  if (!update) return update.error();
  update->bind_text(1, open.id);
  update->bind_text(2, alert_severity_name(open.severity));
  update->bind_text(3, open.message);
  update->bind_time(4, open.last_seen);
  update->bind_int(5, open.count);
  if (auto updated = update->run("raise_alert"); !updated) return updated.error();
  return open;
}

core::Result<AlertRecord> insert_new(Connection& conn, AlertRecord alert) {
  alert.status = AlertStatus::open;
  alert.resolved_at.reset();
  auto taken = sqlite::row_exists(conn, "SELECT 1 FROM alerts WHERE id = ?1", "checking a new alert",
                                  [&](Statement& s) { s.bind_text(1, alert.id); });
  if (!taken) return taken.error();
  if (*taken) return core::Error::conflict("an alert with id '" + alert.id + "' already exists");
  auto insert = conn.prepare(sqlite::kInsertAlert);
  if (!insert) return insert.error();
  sqlite::bind_alert(*insert, alert);
  if (auto inserted = insert->run("raise_alert"); !inserted) return inserted.error();
  alert.first_seen = as_stored(alert.first_seen);
  alert.last_seen = as_stored(alert.last_seen);
  return alert;
}

// The WHERE clause for the filters that are set; parameter numbers are fixed per filter, so the
// statement text varies only with which filters are set.
std::string alert_where(const AlertFilter& filter, bool has_cursor) {
  std::string where;
  auto add = [&where](std::string_view condition) {
    where += where.empty() ? "WHERE " : " AND ";
    where += condition;
  };
  if (filter.user_id) add("user_id = ?1");
  if (filter.status) add("status = ?2");
  if (has_cursor) add("(last_seen, id) < (?3, ?4)");
  if (filter.rule) add("rule = ?6");
  if (filter.key_id) add("key_id = ?7");
  if (filter.first_seen_since) add("first_seen >= ?8");
  return where;
}

}  // namespace

core::Result<AlertRecord> SqliteStore::raise_alert(const AlertRecord& alert, AuditEvent event) {
  if (alert.count < 1) return core::Error::invalid_request("an alert's count must be at least 1");
  return writer_->write(Bump::generation, [&](sqlite::Connection& c) -> core::Result<AlertRecord> {
    auto twin = find_open_twin(c, alert);
    if (!twin) return twin.error();
    auto stored = *twin ? coalesce(c, std::move(**twin), alert) : insert_new(c, alert);
    if (!stored) return stored;
    if (auto appended = sqlite::append_audit_event(c, sealer_, event); !appended) return appended.error();
    return stored;
  });
}

core::Result<Page<AlertRecord>> SqliteStore::list_alerts(const AlertFilter& filter, const PageRequest& page) {
  auto after = parse_alert_cursor(page);
  if (!after) return after.error();
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  const std::string sql = sqlite::select_sql(
      sqlite::kAlertColumns,
      "FROM alerts " + alert_where(filter, after->has_value()) + " ORDER BY last_seen DESC, id DESC LIMIT ?5");
  auto stmt = (*conn)->prepare(sql);
  if (!stmt) return stmt.error();
  if (filter.user_id) stmt->bind_text(1, *filter.user_id);
  if (filter.status) stmt->bind_text(2, alert_status_name(*filter.status));
  if (*after) {
    stmt->bind_int(3, (*after)->last_seen_ms);
    stmt->bind_text(4, (*after)->id);
  }
  stmt->bind_int(5, sqlite::fetch_limit(page.limit));
  if (filter.rule) stmt->bind_text(6, *filter.rule);
  if (filter.key_id) stmt->bind_text(7, *filter.key_id);
  if (filter.first_seen_since) stmt->bind_time(8, *filter.first_seen_since);
  return sqlite::read_page<AlertRecord>(*stmt, page.limit, "list_alerts", sqlite::read_alert, alert_cursor);
}

core::Result<AlertRecord> SqliteStore::resolve_alert(std::string_view id, std::optional<std::string_view> user_id,
                                                     TimePoint at, AuditEvent event) {
  return writer_->write(Bump::generation, [&](sqlite::Connection& c) -> core::Result<AlertRecord> {
    auto alert = load_alert(c, id, user_id);
    if (!alert) return alert;
    if (alert->status == AlertStatus::open) {
      auto update = c.prepare("UPDATE alerts SET status = 'resolved', resolved_at = ?2 WHERE id = ?1");
      if (!update) return update.error();
      update->bind_text(1, id);
      update->bind_time(2, at);
      if (auto updated = update->run("resolve_alert"); !updated) return updated.error();
      alert->status = AlertStatus::resolved;
      alert->resolved_at = as_stored(at);
    }
    if (auto appended = sqlite::append_audit_event(c, sealer_, event); !appended) return appended.error();
    return alert;
  });
}

}  // namespace keyrelay::store
