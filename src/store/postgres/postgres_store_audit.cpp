// PostgresStore: the audit log (standalone appends and the readers of the trail).
// The trail is not user-owned (migration_scripts.cpp): its calls take the admin path. Appends to
// one chain are serialised by the chain's advisory lock (audit_append.h); chains of different
// writers (nodes, CLI processes) never wait on each other (docs/decisions.md "Audit on several nodes").

#include <algorithm>
#include <cstdint>
#include <limits>

#include "store/postgres/audit_append.h"
#include "store/postgres/audit_group_commit.h"
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

constexpr char kAuditList = 'a';

// Newest first: the page continues below the last row's (time, seq, id), as on SQLite. Seq breaks
// ties between events of one chain written in the same millisecond.
struct AuditPosition {
  std::int64_t time_ms = 0;
  std::int64_t seq = 0;
  std::string id;
};

core::Result<std::optional<AuditPosition>> parse_audit_cursor(const PageRequest& page) {
  if (!page.cursor) return std::optional<AuditPosition>();
  auto reader = postgres::CursorReader::open(*page.cursor, kAuditList);
  if (!reader) return reader.error();
  auto time = reader->next_int();
  if (!time) return time.error();
  auto seq = reader->next_int();
  if (!seq) return seq.error();
  auto id = reader->next_text();
  if (!id) return id.error();
  if (auto done = reader->finish(); !done) return done.error();
  return std::optional<AuditPosition>(AuditPosition{*time, *seq, std::move(*id)});
}

std::string audit_cursor(const AuditEvent& last) {
  return postgres::CursorWriter(kAuditList).add(postgres::to_unix_ms(last.time)).add(last.seq).add(last.id).finish();
}

// The search for the filters that are set, with their parameters in the order they appear; the
// statement text (and its prepared statement) depends only on which filters are present and whether
// the action is key.used.
std::string audit_search(const AuditFilter& filter, const std::optional<AuditPosition>& after, std::size_t limit,
                         Params& p) {
  std::string where;
  int n = 0;
  auto add = [&where](const std::string& condition) {
    where += where.empty() ? "WHERE " : " AND ";
    where += condition;
  };
  auto next = [&n] { return "$" + std::to_string(++n); };
  if (filter.visible_to) {
    const auto user = next();
    // The redundant conditions are those of the partial indexes (migration 9), so the planner may
    // use them.
    add("(actor_user_id = " + user + " OR on_behalf_of = " + user + " OR (key_owner_id = " + user +
        " AND key_owner_id IS DISTINCT FROM actor_user_id))");
    p.text(*filter.visible_to);
  }
  if (filter.action) {
    add("action = " + next() + (*filter.action == "key.used" ? "" : " AND action <> 'key.used'"));
    p.text(*filter.action);
  }
  if (filter.key_id) {
    add("key_id = " + next());
    p.text(*filter.key_id);
  }
  if (filter.from) {
    add("time >= " + next());
    p.time(*filter.from);
  }
  if (filter.to) {
    add("time <= " + next());
    p.time(*filter.to);
  }
  if (after) {
    const auto time = next(), seq = next(), id = next();
    add("(time, seq, id) < (" + time + "::bigint, " + seq + "::bigint, " + id + "::text)");
    p.integer(after->time_ms).integer(after->seq).text(after->id);
  }
  const auto limit_param = next();
  p.integer(postgres::fetch_limit(limit));
  return postgres::select_sql(postgres::kAuditColumns,
                              "FROM audit_log " + where + " ORDER BY time DESC, seq DESC, id DESC LIMIT " + limit_param);
}

core::Result<std::optional<AuditCheckpoint>> load_checkpoint(Connection& conn, std::string_view chain) {
  auto rows = conn.query(
      "SELECT chain, seq, hash, count, master_version, mac, created_at FROM audit_checkpoints WHERE chain = $1",
      Params().text(chain), "loading an audit checkpoint");
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<AuditCheckpoint>();
  AuditCheckpoint c;
  c.chain = rows->text_at(0, 0);
  c.seq = rows->int_at(0, 1);
  c.hash = rows->bytes_at(0, 2);
  c.count = rows->int_at(0, 3);
  c.master_version = static_cast<std::uint32_t>(rows->int_at(0, 4));
  c.mac = rows->bytes_at(0, 5);
  c.created_at = rows->time_at(0, 6);
  return std::optional<AuditCheckpoint>(std::move(c));
}

// The chain's advisory lock (audit_append.h): pruning and appending one chain never interleave.
core::Result<void> lock_chain(Connection& conn, std::string_view chain) {
  auto locked = conn.query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))", Params().text(chain),
                           "locking an audit chain");
  if (!locked) return locked.error();
  return core::ok();
}

}  // namespace

core::Result<void> PostgresStore::append_audit(std::vector<AuditEvent> events) {
  if (events.empty()) return core::ok();
  // One transaction and one multi-row insert for the batch (group commit). No generation bump
  // (store.h: hot-path bookkeeping).
  return postgres::run_transaction(
      *pool_, Access::admin(), postgres::Mode::write, postgres::Bump::none, [&](Connection& c) -> core::Result<void> {
        std::vector<AuditEvent> batch = events;  // a retried transaction seals afresh
        return postgres::append_audit_events(c, sealer_, batch);
      });
}

core::Result<Page<AuditEvent>> PostgresStore::list_audit(const AuditFilter& filter, const PageRequest& page) {
  auto after = parse_audit_cursor(page);
  if (!after) return after.error();
  Params p;
  const std::string sql = audit_search(filter, *after, page.limit, p);
  return postgres::read_transaction(*pool_, Access::admin(), [&](Connection& c) -> core::Result<Page<AuditEvent>> {
    auto rows = c.query(sql, p, "list_audit");
    if (!rows) return rows.error();
    return postgres::read_page<AuditEvent>(*rows, page.limit, postgres::read_audit, audit_cursor);
  });
}

core::Result<std::vector<std::string>> PostgresStore::audit_chains() {
  // A skip scan over the (chain, seq) index: one index probe per chain instead of reading every
  // event (the log holds millions of key.used rows, chains are few). A chain pruned to its end
  // lives on in its checkpoint.
  static constexpr std::string_view kSql =
      "WITH RECURSIVE chains AS ("
      "(SELECT chain FROM audit_log ORDER BY chain LIMIT 1) "
      "UNION ALL SELECT (SELECT a.chain FROM audit_log a WHERE a.chain > chains.chain ORDER BY a.chain LIMIT 1) "
      "FROM chains WHERE chains.chain IS NOT NULL) "
      "SELECT chain FROM chains WHERE chain IS NOT NULL UNION SELECT chain FROM audit_checkpoints ORDER BY 1";
  return postgres::read_transaction(*pool_, Access::admin(), [&](Connection& c) -> core::Result<std::vector<std::string>> {
    auto rows = c.query(kSql, "audit_chains");
    if (!rows) return rows.error();
    std::vector<std::string> chains;
    chains.reserve(static_cast<std::size_t>(rows->size()));
    for (int i = 0; i < rows->size(); ++i) chains.push_back(rows->text_at(i, 0));
    return chains;
  });
}

core::Result<std::optional<AuditCheckpoint>> PostgresStore::audit_checkpoint(std::string_view chain) {
  return postgres::read_transaction(*pool_, Access::admin(),
                                    [&](Connection& c) { return load_checkpoint(c, chain); });
}

core::Result<AuditPruneBatch> PostgresStore::prune_audit(
    std::string_view chain, TimePoint cutoff, std::size_t limit,
    const std::function<AuditEvent(const AuditPruneBatch&)>& pruned_event) {
  if (limit == 0) return core::Error::invalid_request("a prune batch must hold at least one event");
  const auto fetch = static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
  return postgres::run_transaction(
      *pool_, Access::admin(), postgres::Mode::write, postgres::Bump::none,
      [&](Connection& c) -> core::Result<AuditPruneBatch> {
        // Another node's pruner or this chain's writer waits until this batch commits.
        if (auto locked = lock_chain(c, chain); !locked) return locked.error();
        // The oldest events of the chain, in seq order, while they are prunable (key.used,
        // auth.failed) and older than the cut-off: pruning never makes a hole in the middle of a chain.
        auto oldest = c.query("SELECT seq, hash, action, time FROM audit_log WHERE chain = $1 ORDER BY seq LIMIT $2",
                              Params().text(chain).integer(fetch), "finding audit events to prune");
        if (!oldest) return oldest.error();
        const std::int64_t cutoff_ms = postgres::to_unix_ms(cutoff);
        AuditPruneBatch batch;
        int last = -1;
        for (int i = 0; i < oldest->size(); ++i) {
          if (!is_prunable_audit_action(oldest->text_at(i, 2)) || oldest->int_at(i, 3) >= cutoff_ms) break;
          batch.through_seq = oldest->int_at(i, 0);
          ++batch.pruned;
          last = i;
        }
        if (batch.pruned == 0) return batch;

        auto previous = load_checkpoint(c, chain);
        if (!previous) return previous.error();
        AuditCheckpoint checkpoint;
        checkpoint.chain = std::string(chain);
        checkpoint.seq = batch.through_seq;
        checkpoint.hash = oldest->bytes_at(last, 1);
        checkpoint.count = (*previous ? (*previous)->count : 0) + batch.pruned;
        checkpoint.created_at = cutoff;
        if (auto sealed = sealer_.seal_checkpoint(checkpoint); !sealed) return sealed.error();

        auto removed = c.query("DELETE FROM audit_log WHERE chain = $1 AND seq <= $2",
                               Params().text(chain).integer(batch.through_seq), "pruning audit events");
        if (!removed) return removed.error();
        if (removed->affected() != batch.pruned)
          return core::Error::internal("audit prune deleted an unexpected number of events");

        Params save;
        save.text(checkpoint.chain).integer(checkpoint.seq).bytes(checkpoint.hash).integer(checkpoint.count);
        save.integer(checkpoint.master_version).bytes(checkpoint.mac).time(checkpoint.created_at);
        auto saved = c.query(
            "INSERT INTO audit_checkpoints (chain, seq, hash, count, master_version, mac, created_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, "
            "hash = excluded.hash, count = excluded.count, master_version = excluded.master_version, "
            "mac = excluded.mac, created_at = excluded.created_at",
            save, "saving an audit checkpoint");
        if (!saved) return saved.error();

        AuditEvent event = pruned_event(batch);
        if (auto appended = postgres::append_audit_event(c, sealer_, event); !appended) return appended.error();
        return batch;
      });
}

core::Result<std::vector<AuditEvent>> PostgresStore::audit_chain_events(std::string_view chain, std::int64_t after_seq,
                                                                        std::size_t limit) {
  static const std::string kSql = postgres::select_sql(
      postgres::kAuditColumns, "FROM audit_log WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT $3");
  const auto fetch = static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
  return postgres::read_transaction(*pool_, Access::admin(), [&](Connection& c) -> core::Result<std::vector<AuditEvent>> {
    auto rows = c.query(kSql, Params().text(chain).integer(after_seq).integer(fetch), "audit_chain_events");
    if (!rows) return rows.error();
    return postgres::read_all<AuditEvent>(*rows, postgres::read_audit);
  });
}

}  // namespace keyrelay::store
