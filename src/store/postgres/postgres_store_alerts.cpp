// PostgresStore: alerts (raising with coalescing, listing newest first, resolving).
// An alert belongs to its user: raising runs for alert.user_id, and listing or resolving for the
// user they name (row-level security); without a user (an admin's view) they take the admin path.
// Two nodes raising the same alert at once must coalesce, not open two: a raise holds a
// transaction-scoped advisory lock on its (rule, user, key, provider) tuple from the look-up of the
// open alert to the commit.

#include <algorithm>

#include "store/postgres/audit_append.h"
#include "store/postgres/connection_pool.h"
#include "store/postgres/paging.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/row_mapping.h"
#include "store/postgres/transaction.h"

namespace keyrelay::store {

using postgres::Access;
using postgres::Connection;
using postgres::Params;

namespace {

constexpr char kAlertList = 'l';

// Newest first: the page continues below the last row's (last_seen, id).
struct AlertPosition {
  std::int64_t last_seen_ms = 0;
  std::string id;
};

core::Result<std::optional<AlertPosition>> parse_alert_cursor(const PageRequest& page) {
  if (!page.cursor) return std::optional<AlertPosition>();
  auto reader = postgres::CursorReader::open(*page.cursor, kAlertList);
  if (!reader) return reader.error();
  auto last_seen = reader->next_int();
  if (!last_seen) return last_seen.error();
  auto id = reader->next_text();
  if (!id) return id.error();
  if (auto done = reader->finish(); !done) return done.error();
  return std::optional<AlertPosition>(AlertPosition{*last_seen, std::move(*id)});
}

std::string alert_cursor(const AlertRecord& last) {
  return postgres::CursorWriter(kAlertList).add(postgres::to_unix_ms(last.last_seen)).add(last.id).finish();
}

// `t` as the store keeps it (whole milliseconds).
TimePoint as_stored(TimePoint t) { return postgres::from_unix_ms(postgres::to_unix_ms(t)); }

Access access_of(std::optional<std::string_view> user_id) {
  return user_id ? Access::user(*user_id) : Access::admin();
}

// Serialises raises of one (rule, user, key, provider) tuple across connections and nodes. The
// unit separator keeps the parts apart; concat_ws skips an absent part, so two tuples may share a
// key (as may any two on a hash collision), which only costs a wait.
core::Result<void> lock_alert_tuple(Connection& conn, const AlertRecord& alert) {
  auto locked = conn.query(
      "SELECT pg_advisory_xact_lock(hashtextextended(concat_ws(chr(31), 'alert', $1::text, $2::text, $3::text, "
      "$4::text), 0))",
      Params().text(alert.rule).text(alert.user_id).text(alert.key_id).text(alert.provider), "raise_alert");
  if (!locked) return locked.error();
  return core::ok();
}

// The open alert a raise of `alert` coalesces into, if any, locked. IS NOT DISTINCT FROM compares
// absent with absent.
core::Result<std::optional<AlertRecord>> find_open_twin(Connection& conn, const AlertRecord& alert) {
  static const std::string kSql = postgres::select_sql(
      postgres::kAlertColumns,
      "FROM alerts WHERE status = 'open' AND rule = $1 AND user_id = $2 AND key_id IS NOT DISTINCT FROM $3::text "
      "AND provider IS NOT DISTINCT FROM $4::text ORDER BY last_seen DESC, id DESC LIMIT 1 FOR UPDATE");
  auto rows = conn.query(kSql, Params().text(alert.rule).text(alert.user_id).text(alert.key_id).text(alert.provider),
                         "finding an open alert");
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<AlertRecord>();
  auto twin = postgres::read_alert(postgres::Row(*rows, 0));
  if (!twin) return twin.error();
  return std::optional<AlertRecord>(std::move(*twin));
}

// Folds a repeat raise into the open alert `open`: count + 1, last_seen forward, higher severity,
// newest message.
core::Result<AlertRecord> coalesce(Connection& conn, AlertRecord open, const AlertRecord& repeat) {
  open.count += 1;
  open.last_seen = std::max(open.last_seen, as_stored(repeat.last_seen));
  open.severity = std::max(open.severity, repeat.severity);
  open.message = repeat.message;
  Params p;
  p.text(open.id).text(alert_severity_name(open.severity)).text(open.message).time(open.last_seen).integer(open.count);
  auto updated = conn.query("UPDATE alerts SET severity = $2, message = $3, last_seen = $4, count = $5 WHERE id = $1",
                            p, "raise_alert");
  if (!updated) return updated.error();
  return open;
}

core::Result<AlertRecord> insert_new(Connection& conn, AlertRecord alert) {
  alert.status = AlertStatus::open;
  alert.resolved_at.reset();
  Params p;
  postgres::add_alert(p, alert);
  auto inserted = conn.query(postgres::kInsertAlert, p, "raise_alert");
  if (!inserted && inserted.error().code == core::Errc::conflict)
    return core::Error::conflict("an alert with id '" + alert.id + "' already exists");
  if (!inserted) return inserted.error();
  alert.first_seen = as_stored(alert.first_seen);
  alert.last_seen = as_stored(alert.last_seen);
  return alert;
}

// The search for the filters that are set, parameters numbered in the order they appear.
std::string alert_search(const AlertFilter& filter, const std::optional<AlertPosition>& after, std::size_t limit,
                         Params& p) {
  std::string where;
  int n = 0;
  auto add = [&where](const std::string& condition) {
    where += where.empty() ? "WHERE " : " AND ";
    where += condition;
  };
  auto next = [&n] { return "$" + std::to_string(++n); };
  if (filter.user_id) {
    add("user_id = " + next());
    p.text(*filter.user_id);
  }
  if (filter.status) {
    add("status = " + next());
    p.text(alert_status_name(*filter.status));
  }
  if (filter.rule) {
    add("rule = " + next());
    p.text(*filter.rule);
  }
  if (filter.key_id) {
    add("key_id = " + next());
    p.text(*filter.key_id);
  }
  if (filter.first_seen_since) {
    add("first_seen >= " + next());
    p.time(*filter.first_seen_since);
  }
  if (after) {
    const auto last_seen = next(), id = next();
    add("(last_seen, id) < (" + last_seen + "::bigint, " + id + "::text)");
    p.integer(after->last_seen_ms).text(after->id);
  }
  const auto limit_param = next();
  p.integer(postgres::fetch_limit(limit));
  return postgres::select_sql(postgres::kAlertColumns,
                              "FROM alerts " + where + " ORDER BY last_seen DESC, id DESC LIMIT " + limit_param);
}

}  // namespace

core::Result<AlertRecord> PostgresStore::raise_alert(const AlertRecord& alert, AuditEvent event) {
  if (alert.count < 1) return core::Error::invalid_request("an alert's count must be at least 1");
  return postgres::write_transaction(*pool_, Access::user(alert.user_id), [&](Connection& c) -> core::Result<AlertRecord> {
    if (auto locked = lock_alert_tuple(c, alert); !locked) return locked.error();
    auto twin = find_open_twin(c, alert);
    if (!twin) return twin.error();
    auto stored = *twin ? coalesce(c, std::move(**twin), alert) : insert_new(c, alert);
    if (!stored) return stored;
    AuditEvent sealed = event;  // a retried transaction seals afresh
    if (auto appended = postgres::append_audit_event(c, sealer_, sealed); !appended) return appended.error();
    return stored;
  });
}

core::Result<Page<AlertRecord>> PostgresStore::list_alerts(const AlertFilter& filter, const PageRequest& page) {
  auto after = parse_alert_cursor(page);
  if (!after) return after.error();
  Params p;
  const std::string sql = alert_search(filter, *after, page.limit, p);
  return postgres::read_transaction(
      *pool_, access_of(filter.user_id), [&](Connection& c) -> core::Result<Page<AlertRecord>> {
        auto rows = c.query(sql, p, "list_alerts");
        if (!rows) return rows.error();
        return postgres::read_page<AlertRecord>(*rows, page.limit, postgres::read_alert, alert_cursor);
      });
}

core::Result<AlertRecord> PostgresStore::resolve_alert(std::string_view id, std::optional<std::string_view> user_id,
                                                       TimePoint at, AuditEvent event) {
  static const std::string kById = postgres::select_sql(postgres::kAlertColumns, "FROM alerts WHERE id = $1 FOR UPDATE");
  static const std::string kByIdAndUser =
      postgres::select_sql(postgres::kAlertColumns, "FROM alerts WHERE id = $1 AND user_id = $2 FOR UPDATE");
  Params find;
  find.text(id);
  if (user_id) find.text(*user_id);
  return postgres::write_transaction(*pool_, access_of(user_id), [&](Connection& c) -> core::Result<AlertRecord> {
    auto rows = c.query(user_id ? kByIdAndUser : kById, find, "loading an alert");
    if (!rows) return rows.error();
    if (rows->empty()) return core::Error::not_found("alert not found");
    auto alert = postgres::read_alert(postgres::Row(*rows, 0));
    if (!alert) return alert;
    if (alert->status == AlertStatus::open) {
      auto updated = c.query("UPDATE alerts SET status = 'resolved', resolved_at = $2 WHERE id = $1",
                             Params().text(id).time(at), "resolve_alert");
      if (!updated) return updated.error();
      alert->status = AlertStatus::resolved;
      alert->resolved_at = as_stored(at);
    }
    AuditEvent sealed = event;  // a retried transaction seals afresh
    if (auto appended = postgres::append_audit_event(c, sealer_, sealed); !appended) return appended.error();
    return alert;
  });
}

}  // namespace keyrelay::store
