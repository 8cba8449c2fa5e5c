// SqliteStore: spend caps (per user, per key, per user on the default keys) and what their subjects
// spent, summed from usage_daily and default_key_spend_daily.

#include "store/sqlite/connection_pool.h"
#include "store/sqlite/query_helpers.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/audit_append.h"
#include "store/sqlite/transaction.h"
#include "store/sqlite/write_batcher.h"

namespace keyrelay::store {

using sqlite::Bump;
using sqlite::Connection;
using sqlite::Statement;

namespace {

bool is_day(std::string_view text) noexcept {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9')) return false;
  return true;
}

std::optional<std::int64_t> optional_int(const Statement& s, int column) {
  if (s.is_null(column)) return std::nullopt;
  return s.int_at(column);
}

// The user the caps of `subject_id` belong to; not_found as CapStore::find_caps().
core::Result<std::string> subject_owner(Connection& conn, CapSubject subject, std::string_view subject_id,
                                        std::optional<std::string_view> owner_id) {
  const bool is_key = subject == CapSubject::key;
  auto owner = sqlite::find_one<std::string>(
      conn, is_key ? "SELECT owner_id FROM api_keys WHERE id = ?1" : "SELECT id FROM users WHERE id = ?1",
      "finding a cap's subject", is_key ? "key not found" : "user not found",
      [&](Statement& s) { s.bind_text(1, subject_id); }, [](Statement& s) { return s.text_at(0); });
  if (!owner) return owner;
  if (owner_id && *owner != *owner_id) return core::Error::not_found(is_key ? "key not found" : "user not found");
  return owner;
}

core::Result<CapRecord> load_caps(Connection& conn, CapSubject subject, std::string_view subject_id,
                                  std::optional<std::string_view> owner_id) {
  auto owner = subject_owner(conn, subject, subject_id, owner_id);
  if (!owner) return owner.error();
  CapRecord caps{subject, std::string(subject_id), std::move(*owner), {}, std::nullopt};
  auto stmt = conn.prepare(
      "SELECT daily_micro_usd, monthly_micro_usd, updated_at FROM spend_caps WHERE subject = ?1 AND subject_id = ?2");
  if (!stmt) return stmt.error();
  stmt->bind_text(1, cap_subject_name(subject));
  stmt->bind_text(2, subject_id);
  auto row = stmt->step("loading caps");
  if (!row) return row.error();
  if (*row) {
    caps.limits = CapLimits{optional_int(*stmt, 0), optional_int(*stmt, 1)};
    caps.updated_at = stmt->time_at(2);
  }
  return caps;
}

core::Result<void> write_caps(Connection& conn, const CapRecord& caps) {
  if (caps.limits.is_empty()) {
    auto del = conn.prepare("DELETE FROM spend_caps WHERE subject = ?1 AND subject_id = ?2");
    if (!del) return del.error();
    del->bind_text(1, cap_subject_name(caps.subject));
    del->bind_text(2, caps.subject_id);
    return del->run("set_caps");
  }
  auto put = conn.prepare(
      "INSERT INTO spend_caps (subject, subject_id, owner_id, daily_micro_usd, monthly_micro_usd, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (subject, subject_id) DO UPDATE SET owner_id = excluded.owner_id, "
      "daily_micro_usd = excluded.daily_micro_usd, monthly_micro_usd = excluded.monthly_micro_usd, "
      "updated_at = excluded.updated_at");
  if (!put) return put.error();
  put->bind_text(1, cap_subject_name(caps.subject));
  put->bind_text(2, caps.subject_id);
  put->bind_text(3, caps.owner_id);
  auto bind_limit = [&](int index, const std::optional<std::int64_t>& v) {
    if (v) put->bind_int(index, *v);
    else put->bind_null(index);
  };
  bind_limit(4, caps.limits.daily_micro_usd);
  bind_limit(5, caps.limits.monthly_micro_usd);
  put->bind_time(6, *caps.updated_at);
  return put->run("set_caps");
}

std::optional<CapSubject> parse_subject(std::string_view name) {
  for (auto s : {CapSubject::user, CapSubject::key, CapSubject::default_key_allowance})
    if (cap_subject_name(s) == name) return s;
  return std::nullopt;
}

}  // namespace

core::Result<CapRecord> SqliteStore::find_caps(CapSubject subject, std::string_view subject_id,
                                               std::optional<std::string_view> owner_id) {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  return load_caps(**conn, subject, subject_id, owner_id);
}

core::Result<CapRecord> SqliteStore::set_caps(CapSubject subject, std::string_view subject_id,
                                              std::optional<std::string_view> owner_id, const CapLimits& limits,
                                              TimePoint at, const CapChange& change) {
  for (const auto& limit : {limits.daily_micro_usd, limits.monthly_micro_usd})
    if (limit && *limit < 0) return core::Error::invalid_request("a cap must not be negative");
  return writer_->write(Bump::generation, [&](Connection& c) -> core::Result<CapRecord> {
    auto before = load_caps(c, subject, subject_id, owner_id);
    if (!before) return before;
    CapRecord after = *before;
    after.limits = limits;
    // Removed caps read as never set; kept ones carry the time as stored (whole milliseconds).
    if (limits.is_empty()) after.updated_at.reset();
    else after.updated_at = sqlite::from_unix_ms(sqlite::to_unix_ms(at));
    if (auto written = write_caps(c, after); !written) return written.error();
    auto event = change(*before, after);
    if (!event) return event.error();
    if (auto appended = sqlite::append_audit_event(c, sealer_, *event); !appended) return appended.error();
    return after;
  });
}

core::Result<std::vector<CapRecord>> SqliteStore::all_caps() {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  auto stmt = (*conn)->prepare(
      "SELECT subject, subject_id, owner_id, daily_micro_usd, monthly_micro_usd, updated_at FROM spend_caps "
      "ORDER BY subject, subject_id");
  if (!stmt) return stmt.error();
  std::vector<CapRecord> all;
  for (;;) {
    auto row = stmt->step("all_caps");
    if (!row) return row.error();
    if (!*row) return all;
    auto subject = parse_subject(stmt->text_at(0));
    if (!subject) return core::Error::internal("unknown cap subject in spend_caps");
    all.push_back(CapRecord{*subject, stmt->text_at(1), stmt->text_at(2),
                            CapLimits{optional_int(*stmt, 3), optional_int(*stmt, 4)}, stmt->time_at(5)});
  }
}

core::Result<std::int64_t> SqliteStore::spent_micro_usd(CapSubject subject, std::string_view subject_id,
                                                        std::string_view from_day, std::string_view to_day) {
  if (!is_day(from_day) || !is_day(to_day)) return core::Error::invalid_request("a day must be YYYY-MM-DD");
  std::string_view sql;
  switch (subject) {
    case CapSubject::user:
      sql = "SELECT coalesce(sum(cost_micro_usd), 0) FROM usage_daily WHERE owner_id = ?1 AND day >= ?2 AND day <= ?3";
      break;
    case CapSubject::key:
      sql = "SELECT coalesce(sum(cost_micro_usd), 0) FROM usage_daily WHERE key_id = ?1 AND day >= ?2 AND day <= ?3";
      break;
    case CapSubject::default_key_allowance:
      sql = "SELECT coalesce(sum(cost_micro_usd), 0) FROM default_key_spend_daily WHERE user_id = ?1 AND day >= ?2 "
            "AND day <= ?3";
      break;
  }
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  return sqlite::find_one<std::int64_t>(
      **conn, sql, "spent_micro_usd", "no sum",
      [&](Statement& s) {
        s.bind_text(1, subject_id);
        s.bind_text(2, from_day);
        s.bind_text(3, to_day);
      },
      [](Statement& s) { return s.int_at(0); });
}

}  // namespace keyrelay::store
