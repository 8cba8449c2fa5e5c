// SqliteStore: usage (the gateway's counts and costs per key, model and UTC day, and the owner's
// sums over them).

#include "store/sqlite/connection_pool.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/transaction.h"
#include "store/sqlite/write_batcher.h"

namespace keyrelay::store {

using sqlite::Bump;
using sqlite::Connection;

namespace {

// YYYY-MM-DD (digits, not a calendar check): days compare as text, so only the shape matters.
bool is_day(std::string_view text) noexcept {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == 4 || i == 7) continue;
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

// A user's spend on an operator default key, for their default-key allowance: booked whether or not
// the key still exists (the money was spent either way).
core::Result<void> add_allowance_spend(Connection& conn, const UsageDelta& delta) {
  if (delta.allowance_user_id.empty() || delta.cost_micro_usd == 0) return core::ok();
  auto spend = conn.prepare(
      "INSERT INTO default_key_spend_daily (user_id, day, cost_micro_usd) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (user_id, day) DO UPDATE SET cost_micro_usd = cost_micro_usd + excluded.cost_micro_usd");
  if (!spend) return spend.error();
  spend->bind_text(1, delta.allowance_user_id);
  spend->bind_text(2, usage_day(delta.at));
  spend->bind_int(3, delta.cost_micro_usd);
  return spend->run("add_usage");
}

// Adds one delta to its key's totals and to its (key, day, model) row. The key's row is updated first and
// names the owner: when no row changed, the key is gone (or not the owner's) and the delta is skipped.
core::Result<void> add_one(Connection& conn, const UsageDelta& delta) {
  constexpr std::string_view kDoing = "add_usage";
  auto totals = conn.prepare(
      "UPDATE api_keys SET usage_requests = usage_requests + ?3, usage_input_tokens = usage_input_tokens + ?4, "
      "usage_output_tokens = usage_output_tokens + ?5, usage_errors = usage_errors + ?6, "
      "last_used_at = CASE WHEN last_used_at IS NULL OR last_used_at < ?7 THEN ?7 ELSE last_used_at END "
      "WHERE id = ?1 AND owner_id = ?2");
  if (!totals) return totals.error();
  totals->bind_text(1, delta.key_id);
  totals->bind_text(2, delta.owner_id);
  totals->bind_int(3, delta.requests);
  totals->bind_int(4, delta.input_tokens);
  totals->bind_int(5, delta.output_tokens);
  totals->bind_int(6, delta.errors);
  totals->bind_time(7, delta.at);
  if (auto updated = totals->run(kDoing); !updated) return updated;
  if (totals->changes() == 0) return core::ok();

  auto daily = conn.prepare(
      "INSERT INTO usage_daily (key_id, day, owner_id, provider, requests, input_tokens, output_tokens, errors, "
      "model, cost_micro_usd, unpriced_requests) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
      "ON CONFLICT (key_id, day, model) DO UPDATE SET "
      "requests = requests + excluded.requests, input_tokens = input_tokens + excluded.input_tokens, "
      "output_tokens = output_tokens + excluded.output_tokens, errors = errors + excluded.errors, "
      "cost_micro_usd = cost_micro_usd + excluded.cost_micro_usd, "
      "unpriced_requests = unpriced_requests + excluded.unpriced_requests");
  if (!daily) return daily.error();
  daily->bind_text(1, delta.key_id);
  daily->bind_text(2, usage_day(delta.at));
  daily->bind_text(3, delta.owner_id);
  daily->bind_text(4, delta.provider);
  daily->bind_int(5, delta.requests);
  daily->bind_int(6, delta.input_tokens);
  daily->bind_int(7, delta.output_tokens);
  daily->bind_int(8, delta.errors);
  daily->bind_text(9, delta.model);
  daily->bind_int(10, delta.cost_micro_usd);
  daily->bind_int(11, delta.unpriced_requests);
  return daily->run(kDoing);
}

// The query for the chosen dimensions: at most 16 variants, each cached as its own statement.
// Ungrouped dimensions are selected as NULL; without any grouping the aggregate yields one row.
std::string usage_sql(const UsageQuery& query) {
  std::string dims;
  auto add = [&dims](bool chosen, std::string_view column) {
    if (!chosen) return;
    if (!dims.empty()) dims += ", ";
    dims += column;
  };
  add(query.by_day, "day");
  add(query.by_provider, "provider");
  add(query.by_key, "key_id");
  add(query.by_model, "model");
  std::string sql = "SELECT ";
  sql += query.by_day ? "day" : "NULL";
  sql += query.by_provider ? ", provider" : ", NULL";
  sql += query.by_key ? ", key_id" : ", NULL";
  sql += query.by_model ? ", model" : ", NULL";
  sql +=
      ", coalesce(sum(requests), 0), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), "
      "coalesce(sum(errors), 0), coalesce(sum(cost_micro_usd), 0), coalesce(sum(unpriced_requests), 0) "
      "FROM usage_daily WHERE owner_id = ?1 AND day >= ?2 AND day <= ?3";
  if (!dims.empty()) sql += " GROUP BY " + dims + " ORDER BY " + dims;
  return sql;
}

}  // namespace

core::Result<void> SqliteStore::add_usage(const std::vector<UsageDelta>& deltas) {
  if (deltas.empty()) return core::ok();
  for (const auto& delta : deltas) {
    if (is_malformed(delta)) return core::Error::invalid_request("usage counts must not be negative");
  }
  // One transaction for the batch. No generation bump (see the class comment).
  return writer_->write(Bump::none, [&](sqlite::Connection& c) -> core::Result<void> {
    for (const auto& delta : deltas) {
      if (auto added = add_one(c, delta); !added) return added;
      if (auto spent = add_allowance_spend(c, delta); !spent) return spent;
    }
    return core::ok();
  });
}

core::Result<std::vector<UsageRow>> SqliteStore::usage(const UsageQuery& query) {
  if (!is_day(query.from_day) || !is_day(query.to_day))
    return core::Error::invalid_request("a usage day must be YYYY-MM-DD");
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  auto stmt = (*conn)->prepare(usage_sql(query));
  if (!stmt) return stmt.error();
  stmt->bind_text(1, query.owner_id);
  stmt->bind_text(2, query.from_day);
  stmt->bind_text(3, query.to_day);
  std::vector<UsageRow> rows;
  for (;;) {
    auto row = stmt->step("usage");
    if (!row) return row.error();
    if (!*row) return rows;
    UsageRow out;
    out.day = stmt->optional_text_at(0);
    out.provider = stmt->optional_text_at(1);
    out.key_id = stmt->optional_text_at(2);
    out.model = stmt->optional_text_at(3);
    out.requests = stmt->int_at(4);
    out.input_tokens = stmt->int_at(5);
    out.output_tokens = stmt->int_at(6);
    out.errors = stmt->int_at(7);
    out.cost_micro_usd = stmt->int_at(8);
    out.unpriced_requests = stmt->int_at(9);
    rows.push_back(std::move(out));
  }
}

}  // namespace keyrelay::store
