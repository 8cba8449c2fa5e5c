// PostgresStore: spend caps and what their subjects spent (see sqlite_store_caps.cpp). A call that
// names an owner runs for that user (row-level security), one without for everyone (an admin, the
// gateway's copy). Two changes of one subject's caps queue on a transaction-scoped advisory lock, so
// each one's audit event names the caps it really replaced.

#include "store/postgres/audit_append.h"
#include "store/postgres/connection_pool.h"
#include "store/postgres/params.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/transaction.h"

namespace keyrelay::store {

using postgres::Access;
using postgres::Connection;
using postgres::Params;

namespace {

bool is_day(std::string_view text) noexcept {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9')) return false;
  return true;
}

Access access_of(std::optional<std::string_view> owner_id) {
  return owner_id ? Access::user(*owner_id) : Access::admin();
}

std::optional<std::int64_t> optional_int(const postgres::Rows& rows, int row, int column) {
  if (rows.is_null(row, column)) return std::nullopt;
  return rows.int_at(row, column);
}

std::optional<CapSubject> parse_subject(std::string_view name) {
  for (auto s : {CapSubject::user, CapSubject::key, CapSubject::default_key_allowance})
    if (cap_subject_name(s) == name) return s;
  return std::nullopt;
}

core::Result<std::string> subject_owner(Connection& conn, CapSubject subject, std::string_view subject_id,
                                        std::optional<std::string_view> owner_id) {
  const bool is_key = subject == CapSubject::key;
  auto rows = conn.query(is_key ? "SELECT owner_id FROM api_keys WHERE id = $1" : "SELECT id FROM users WHERE id = $1",
                         Params().text(subject_id), "finding a cap's subject");
  if (!rows) return rows.error();
  const char* missing = is_key ? "key not found" : "user not found";
  if (rows->empty()) return core::Error::not_found(missing);
  std::string owner = rows->text_at(0, 0);
  if (owner_id && owner != *owner_id) return core::Error::not_found(missing);
  return owner;
}

core::Result<CapRecord> load_caps(Connection& conn, CapSubject subject, std::string_view subject_id,
                                  std::optional<std::string_view> owner_id) {
  auto owner = subject_owner(conn, subject, subject_id, owner_id);
  if (!owner) return owner.error();
  CapRecord caps{subject, std::string(subject_id), std::move(*owner), {}, std::nullopt};
  auto rows = conn.query(
      "SELECT daily_micro_usd, monthly_micro_usd, updated_at FROM spend_caps WHERE subject = $1 AND subject_id = $2",
      Params().text(cap_subject_name(subject)).text(subject_id), "loading caps");
  if (!rows) return rows.error();
  if (!rows->empty()) {
    caps.limits = CapLimits{optional_int(*rows, 0, 0), optional_int(*rows, 0, 1)};
    caps.updated_at = rows->time_at(0, 2);
  }
  return caps;
}

core::Result<void> write_caps(Connection& conn, const CapRecord& caps) {
  if (caps.limits.is_empty()) {
    auto del = conn.query("DELETE FROM spend_caps WHERE subject = $1 AND subject_id = $2",
                          Params().text(cap_subject_name(caps.subject)).text(caps.subject_id), "set_caps");
    if (!del) return del.error();
    return core::ok();
  }
  Params p;
  p.text(cap_subject_name(caps.subject)).text(caps.subject_id).text(caps.owner_id);
  if (caps.limits.daily_micro_usd) p.integer(*caps.limits.daily_micro_usd);
  else p.null();
  if (caps.limits.monthly_micro_usd) p.integer(*caps.limits.monthly_micro_usd);
  else p.null();
  p.time(*caps.updated_at);
  auto put = conn.query(
      "INSERT INTO spend_caps (subject, subject_id, owner_id, daily_micro_usd, monthly_micro_usd, updated_at) "
      "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (subject, subject_id) DO UPDATE SET owner_id = excluded.owner_id, "
      "daily_micro_usd = excluded.daily_micro_usd, monthly_micro_usd = excluded.monthly_micro_usd, "
      "updated_at = excluded.updated_at",
      p, "set_caps");
  if (!put) return put.error();
  return core::ok();
}

}  // namespace

core::Result<CapRecord> PostgresStore::find_caps(CapSubject subject, std::string_view subject_id,
                                                 std::optional<std::string_view> owner_id) {
  return postgres::read_transaction(*pool_, access_of(owner_id), [&](Connection& c) {
    return load_caps(c, subject, subject_id, owner_id);
  });
}

core::Result<CapRecord> PostgresStore::set_caps(CapSubject subject, std::string_view subject_id,
                                                std::optional<std::string_view> owner_id, const CapLimits& limits,
                                                TimePoint at, const CapChange& change) {
  for (const auto& limit : {limits.daily_micro_usd, limits.monthly_micro_usd})
    if (limit && *limit < 0) return core::Error::invalid_request("a cap must not be negative");
  return postgres::write_transaction(*pool_, access_of(owner_id), [&](Connection& c) -> core::Result<CapRecord> {
    auto locked = c.query("SELECT pg_advisory_xact_lock(hashtextextended(concat_ws(chr(31), 'caps', $1::text, $2::text), 0))",
                          Params().text(cap_subject_name(subject)).text(subject_id), "set_caps");
    if (!locked) return locked.error();
    auto before = load_caps(c, subject, subject_id, owner_id);
    if (!before) return before;
    CapRecord after = *before;
    after.limits = limits;
    // Removed caps read as never set; kept ones carry the time as stored (whole milliseconds).
    if (limits.is_empty()) after.updated_at.reset();
    else after.updated_at = postgres::from_unix_ms(postgres::to_unix_ms(at));
    if (auto written = write_caps(c, after); !written) return written.error();
    auto event = change(*before, after);
    if (!event) return event.error();
    AuditEvent sealed = *event;  // a retried transaction seals afresh
    if (auto appended = postgres::append_audit_event(c, sealer_, sealed); !appended) return appended.error();
    return after;
  });
}

core::Result<std::vector<CapRecord>> PostgresStore::all_caps() {
  return postgres::read_transaction(*pool_, Access::admin(), [&](Connection& c) -> core::Result<std::vector<CapRecord>> {
    auto rows = c.query(
        "SELECT subject, subject_id, owner_id, daily_micro_usd, monthly_micro_usd, updated_at FROM spend_caps "
        "ORDER BY subject, subject_id",
        Params(), "all_caps");
    if (!rows) return rows.error();
    std::vector<CapRecord> all;
    for (int i = 0; i < rows->size(); ++i) {
      auto subject = parse_subject(rows->text_at(i, 0));
      if (!subject) return core::Error::internal("unknown cap subject in spend_caps");
      all.push_back(CapRecord{*subject, rows->text_at(i, 1), rows->text_at(i, 2),
                              CapLimits{optional_int(*rows, i, 3), optional_int(*rows, i, 4)}, rows->time_at(i, 5)});
    }
    return all;
  });
}

core::Result<std::int64_t> PostgresStore::spent_micro_usd(CapSubject subject, std::string_view subject_id,
                                                          std::string_view from_day, std::string_view to_day) {
  if (!is_day(from_day) || !is_day(to_day)) return core::Error::invalid_request("a day must be YYYY-MM-DD");
  std::string_view sql;
  switch (subject) {
    case CapSubject::user:
      sql = "SELECT coalesce(sum(cost_micro_usd), 0)::bigint FROM usage_daily WHERE owner_id = $1 AND day >= $2 "
            "AND day <= $3";
      break;
    case CapSubject::key:
      sql = "SELECT coalesce(sum(cost_micro_usd), 0)::bigint FROM usage_daily WHERE key_id = $1 AND day >= $2 "
            "AND day <= $3";
      break;
    case CapSubject::default_key_allowance:
      sql = "SELECT coalesce(sum(cost_micro_usd), 0)::bigint FROM default_key_spend_daily WHERE user_id = $1 "
            "AND day >= $2 AND day <= $3";
      break;
  }
  return postgres::read_transaction(*pool_, Access::admin(), [&](Connection& c) -> core::Result<std::int64_t> {
    auto rows = c.query(sql, Params().text(subject_id).text(from_day).text(to_day), "spent_micro_usd");
    if (!rows) return rows.error();
    return rows->int_at(0, 0);
  });
}

}  // namespace keyrelay::store
