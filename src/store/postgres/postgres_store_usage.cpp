// PostgresStore: usage (the gateway's counts per key and UTC day, and the owner's sums over them).
// add_usage books a whole batch — the UsageRecorder's flush, for keys of many owners — in one
// transaction of two statements, whatever its size: the keys locked in id order, then one
// statement that adds the totals to api_keys and upserts the daily rows (unnest of arrays, one
// INSERT … ON CONFLICT DO UPDATE). It runs on the admin path, since a batch spans owners; every
// delta still names its owner, and a key that is not that owner's books nothing. usage() names its
// owner and runs for that user alone (row-level security).

#include <algorithm>

#include "store/postgres/connection_pool.h"
#include "store/postgres/params.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/transaction.h"

namespace keyrelay::store {

using postgres::Access;
using postgres::Connection;
using postgres::Params;

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

// Two batches booking the same keys lock them in the same (id) order, so they queue instead of
// deadlocking; the daily rows of a key are only written under its key's lock.
constexpr std::string_view kLockKeys = "SELECT 1 FROM api_keys WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE";

// `d` is the batch, one row per delta. `booked` adds each key's deltas (summed: a batch may hold a
// key on two days) to the key's totals, moves last_used_at forward only, and returns the keys that
// exist and belong to the owner the delta names; only their deltas reach usage_daily, summed per
// (key, day, model) so that no row is upserted twice by one statement.
constexpr std::string_view kBook =
    "WITH d AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], "
    "$7::bigint[], $8::bigint[], $9::bigint[], $10::text[], $11::bigint[], $12::bigint[]) AS d(key_id, owner_id, "
    "provider, day, at, requests, input_tokens, output_tokens, errors, model, cost_micro_usd, unpriced_requests)), "
    "booked AS (UPDATE api_keys k SET usage_requests = k.usage_requests + s.requests, "
    "usage_input_tokens = k.usage_input_tokens + s.input_tokens, "
    "usage_output_tokens = k.usage_output_tokens + s.output_tokens, usage_errors = k.usage_errors + s.errors, "
    "last_used_at = GREATEST(k.last_used_at, s.at) "
    "FROM (SELECT key_id, owner_id, max(at) AS at, sum(requests) AS requests, sum(input_tokens) AS input_tokens, "
    "sum(output_tokens) AS output_tokens, sum(errors) AS errors FROM d GROUP BY key_id, owner_id) AS s "
    "WHERE k.id = s.key_id AND k.owner_id = s.owner_id RETURNING k.id, k.owner_id) "
    "INSERT INTO usage_daily AS u (key_id, day, owner_id, provider, requests, input_tokens, output_tokens, errors, "
    "model, cost_micro_usd, unpriced_requests) "
    "SELECT d.key_id, d.day, d.owner_id, min(d.provider), sum(d.requests), sum(d.input_tokens), "
    "sum(d.output_tokens), sum(d.errors), d.model, sum(d.cost_micro_usd), sum(d.unpriced_requests) "
    "FROM d JOIN booked b ON b.id = d.key_id AND b.owner_id = d.owner_id "
    "GROUP BY d.key_id, d.day, d.owner_id, d.model ORDER BY d.key_id, d.day, d.model "
    "ON CONFLICT (key_id, day, model) DO UPDATE SET requests = u.requests + excluded.requests, "
    "input_tokens = u.input_tokens + excluded.input_tokens, output_tokens = u.output_tokens + excluded.output_tokens, "
    "errors = u.errors + excluded.errors, cost_micro_usd = u.cost_micro_usd + excluded.cost_micro_usd, "
    "unpriced_requests = u.unpriced_requests + excluded.unpriced_requests";

// Each user's spend on the operator's default keys, for their default-key allowance (summed per
// user and day so that no row is upserted twice by one statement).
constexpr std::string_view kAllowanceSpend =
    "INSERT INTO default_key_spend_daily AS s (user_id, day, cost_micro_usd) "
    "SELECT user_id, day, sum(cost) FROM unnest($1::text[], $2::text[], $3::bigint[]) AS d(user_id, day, cost) "
    "GROUP BY user_id, day ORDER BY user_id, day "
    "ON CONFLICT (user_id, day) DO UPDATE SET cost_micro_usd = s.cost_micro_usd + excluded.cost_micro_usd";

// The batch's default-key spends column by column; nullopt when it has none.
std::optional<Params> allowance_params(const std::vector<UsageDelta>& deltas) {
  std::vector<std::string> user, day;
  std::vector<std::int64_t> cost;
  for (const auto& d : deltas) {
    if (d.allowance_user_id.empty() || d.cost_micro_usd == 0) continue;
    user.push_back(d.allowance_user_id);
    day.push_back(usage_day(d.at));
    cost.push_back(d.cost_micro_usd);
  }
  if (user.empty()) return std::nullopt;
  Params p;
  p.text(postgres::text_array(user)).text(postgres::text_array(day)).text(postgres::integer_array(cost));
  return p;
}

// The batch column by column.
Params book_params(const std::vector<UsageDelta>& deltas) {
  std::vector<std::string> key_id, owner_id, provider, day, model;
  std::vector<std::int64_t> at, requests, input_tokens, output_tokens, errors, cost, unpriced;
  for (const auto& d : deltas) {
    key_id.push_back(d.key_id);
    owner_id.push_back(d.owner_id);
    provider.push_back(d.provider);
    day.push_back(usage_day(d.at));
    at.push_back(postgres::to_unix_ms(d.at));
    requests.push_back(d.requests);
    input_tokens.push_back(d.input_tokens);
    output_tokens.push_back(d.output_tokens);
    errors.push_back(d.errors);
    model.push_back(d.model);
    cost.push_back(d.cost_micro_usd);
    unpriced.push_back(d.unpriced_requests);
  }
  Params p;
  p.text(postgres::text_array(key_id)).text(postgres::text_array(owner_id)).text(postgres::text_array(provider));
  p.text(postgres::text_array(day)).text(postgres::integer_array(at)).text(postgres::integer_array(requests));
  p.text(postgres::integer_array(input_tokens)).text(postgres::integer_array(output_tokens));
  p.text(postgres::integer_array(errors)).text(postgres::text_array(model));
  p.text(postgres::integer_array(cost)).text(postgres::integer_array(unpriced));
  return p;
}

// The query for the chosen dimensions: at most 16 variants, each prepared once per connection.
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
  sql += query.by_day ? "day" : "NULL::text";
  sql += query.by_provider ? ", provider" : ", NULL::text";
  sql += query.by_key ? ", key_id" : ", NULL::text";
  sql += query.by_model ? ", model" : ", NULL::text";
  sql +=
      ", coalesce(sum(requests), 0)::bigint, coalesce(sum(input_tokens), 0)::bigint, "
      "coalesce(sum(output_tokens), 0)::bigint, coalesce(sum(errors), 0)::bigint, "
      "coalesce(sum(cost_micro_usd), 0)::bigint, coalesce(sum(unpriced_requests), 0)::bigint "
      "FROM usage_daily WHERE owner_id = $1 AND day >= $2 AND day <= $3";
  if (!dims.empty()) sql += " GROUP BY " + dims + " ORDER BY " + dims;
  return sql;
}

}  // namespace

core::Result<void> PostgresStore::add_usage(const std::vector<UsageDelta>& deltas) {
  if (deltas.empty()) return core::ok();
  for (const auto& delta : deltas) {
    if (is_malformed(delta)) return core::Error::invalid_request("usage counts must not be negative");
  }
  std::vector<std::string> key_ids;
  for (const auto& d : deltas) key_ids.push_back(d.key_id);
  std::sort(key_ids.begin(), key_ids.end());
  key_ids.erase(std::unique(key_ids.begin(), key_ids.end()), key_ids.end());
  Params lock;
  lock.text(postgres::text_array(key_ids));
  const Params book = book_params(deltas);
  const auto allowance = allowance_params(deltas);
  // No generation bump (store.h: hot-path bookkeeping).
  return postgres::run_transaction(
      *pool_, Access::admin(), postgres::Mode::write, postgres::Bump::none, [&](Connection& c) -> core::Result<void> {
        if (auto locked = c.query(kLockKeys, lock, "add_usage"); !locked) return locked.error();
        if (auto booked = c.query(kBook, book, "add_usage"); !booked) return booked.error();
        if (allowance)
          if (auto spent = c.query(kAllowanceSpend, *allowance, "add_usage"); !spent) return spent.error();
        return core::ok();
      });
}

core::Result<std::vector<UsageRow>> PostgresStore::usage(const UsageQuery& query) {
  if (!is_day(query.from_day) || !is_day(query.to_day))
    return core::Error::invalid_request("a usage day must be YYYY-MM-DD");
  const std::string sql = usage_sql(query);
  Params p;
  p.text(query.owner_id).text(query.from_day).text(query.to_day);
  return postgres::read_transaction(
      *pool_, Access::user(query.owner_id), [&](Connection& c) -> core::Result<std::vector<UsageRow>> {
        auto rows = c.query(sql, p, "usage");
        if (!rows) return rows.error();
        std::vector<UsageRow> out;
        out.reserve(static_cast<std::size_t>(rows->size()));
        for (int i = 0; i < rows->size(); ++i) {
          UsageRow row;
          row.day = rows->optional_text_at(i, 0);
          row.provider = rows->optional_text_at(i, 1);
          row.key_id = rows->optional_text_at(i, 2);
          row.model = rows->optional_text_at(i, 3);
          row.requests = rows->int_at(i, 4);
          row.input_tokens = rows->int_at(i, 5);
          row.output_tokens = rows->int_at(i, 6);
          row.errors = rows->int_at(i, 7);
          row.cost_micro_usd = rows->int_at(i, 8);
          row.unpriced_requests = rows->int_at(i, 9);
          out.push_back(std::move(row));
        }
        return out;
      });
}

}  // namespace keyrelay::store
