// SqliteStore: the audit log (standalone appends and the readers of the trail).

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

namespace {

constexpr char kAuditList = 'a';

// Newest first: the page continues below the last row's (time, seq, id). Seq breaks ties between
// events of one chain written in the same millisecond (ids are random within a millisecond).
struct AuditPosition {
  std::int64_t time_ms = 0;
  std::int64_t seq = 0;
  std::string id;
};

core::Result<std::optional<AuditPosition>> parse_audit_cursor(const PageRequest& page) {
  if (!page.cursor) return std::optional<AuditPosition>();
  auto reader = sqlite::CursorReader::open(*page.cursor, kAuditList);
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
  return sqlite::CursorWriter(kAuditList).add(sqlite::to_unix_ms(last.time)).add(last.seq).add(last.id).finish();
}

constexpr std::string_view kKeyUsed = "key.used";  // the use chain's action, left out of the action index

// The WHERE clause for the filters that are set. Parameter numbers are fixed per filter, so the
// text (and its cached statement) depends only on which filters are present and whether the action
// is key.used: at most 96 variants.
std::string audit_where(const AuditFilter& filter, bool has_cursor) {
  std::string where;
  auto add = [&where](std::string_view condition) {
    where += where.empty() ? "WHERE " : " AND ";
    where += condition;
  };
  // The redundant conditions are those of the partial indexes (migration 9): without them in the
  // text the planner may not use those indexes and would scan the log.
  if (filter.visible_to)
    add("(actor_user_id = ?1 OR on_behalf_of = ?1 OR (key_owner_id = ?1 AND key_owner_id IS NOT actor_user_id))");
  if (filter.action) add(*filter.action == kKeyUsed ? "action = ?2" : "action = ?2 AND action <> 'key.used'");
  if (filter.key_id) add("key_id = ?3");
  if (filter.from) add("time >= ?4");
  if (filter.to) add("time <= ?5");
  if (has_cursor) add("(time, seq, id) < (?6, ?9, ?7)");
  return where;
}

}  // namespace

core::Result<void> SqliteStore::append_audit(std::vector<AuditEvent> events) {
  if (events.empty()) return core::ok();
  // One transaction for the batch (group commit). No generation bump (see the class comment).
  return writer_->write(Bump::none, [&](sqlite::Connection& c) -> core::Result<void> {
    return sqlite::append_audit_events(c, sealer_, events);
  });
}

core::Result<Page<AuditEvent>> SqliteStore::list_audit(const AuditFilter& filter, const PageRequest& page) {
  auto after = parse_audit_cursor(page);
  if (!after) return after.error();
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  const std::string sql = sqlite::select_sql(
      sqlite::kAuditColumns,
      "FROM audit_log " + audit_where(filter, after->has_value()) + " ORDER BY time DESC, seq DESC, id DESC LIMIT ?8");
  auto stmt = (*conn)->prepare(sql);
  if (!stmt) return stmt.error();
  if (filter.visible_to) stmt->bind_text(1, *filter.visible_to);
  if (filter.action) stmt->bind_text(2, *filter.action);
  if (filter.key_id) stmt->bind_text(3, *filter.key_id);
  if (filter.from) stmt->bind_time(4, *filter.from);
  if (filter.to) stmt->bind_time(5, *filter.to);
  if (*after) {
    stmt->bind_int(6, (*after)->time_ms);
    stmt->bind_text(7, (*after)->id);
    stmt->bind_int(9, (*after)->seq);
  }
  stmt->bind_int(8, sqlite::fetch_limit(page.limit));
  return sqlite::read_page<AuditEvent>(*stmt, page.limit, "list_audit", sqlite::read_audit, audit_cursor);
}

core::Result<std::vector<std::string>> SqliteStore::audit_chains() {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  // A chain pruned to its end lives on in its checkpoint.
  auto stmt = (*conn)->prepare("SELECT chain FROM audit_log UNION SELECT chain FROM audit_checkpoints ORDER BY chain");
  if (!stmt) return stmt.error();
  std::vector<std::string> chains;
  for (;;) {
    auto row = stmt->step("audit_chains");
    if (!row) return row.error();
    if (!*row) return chains;
    chains.push_back(stmt->text_at(0));
  }
}

core::Result<std::vector<AuditEvent>> SqliteStore::audit_chain_events(std::string_view chain, std::int64_t after_seq,
                                                                      std::size_t limit) {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  static const std::string kSql =
      sqlite::select_sql(sqlite::kAuditColumns, "FROM audit_log WHERE chain = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3");
  auto stmt = (*conn)->prepare(kSql);
  if (!stmt) return stmt.error();
  stmt->bind_text(1, chain);
  stmt->bind_int(2, after_seq);
  stmt->bind_int(3, sqlite::fetch_limit(limit) - 1);
  std::vector<AuditEvent> events;
  for (;;) {
    auto row = stmt->step("audit_chain_events");
    if (!row) return row.error();
    if (!*row) return events;
    auto event = sqlite::read_audit(*stmt);
    if (!event) return event.error();
    events.push_back(std::move(*event));
  }
}

namespace {

core::Result<std::optional<AuditCheckpoint>> load_checkpoint(sqlite::Connection& conn, std::string_view chain) {
  auto stmt = conn.prepare(
      "SELECT chain, seq, hash, count, master_version, mac, created_at FROM audit_checkpoints WHERE chain = ?1");
  if (!stmt) return stmt.error();
  stmt->bind_text(1, chain);
  auto row = stmt->step("loading an audit checkpoint");
  if (!row) return row.error();
  if (!*row) return std::optional<AuditCheckpoint>();
  AuditCheckpoint c;
  c.chain = stmt->text_at(0);
  c.seq = stmt->int_at(1);
  c.hash = stmt->blob_at(2);
  c.count = stmt->int_at(3);
  c.master_version = static_cast<std::uint32_t>(stmt->int_at(4));
  c.mac = stmt->blob_at(5);
  c.created_at = sqlite::from_unix_ms(stmt->int_at(6));
  return std::optional<AuditCheckpoint>(std::move(c));
}

}  // namespace

core::Result<std::optional<AuditCheckpoint>> SqliteStore::audit_checkpoint(std::string_view chain) {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  return load_checkpoint(**conn, chain);
}

core::Result<AuditPruneBatch> SqliteStore::prune_audit(
    std::string_view chain, TimePoint cutoff, std::size_t limit,
    const std::function<AuditEvent(const AuditPruneBatch&)>& pruned_event) {
  if (limit == 0) return core::Error::invalid_request("a prune batch must hold at least one event");
  return writer_->write(sqlite::Bump::none, [&](sqlite::Connection& c) -> core::Result<AuditPruneBatch> {
    // The oldest events of the chain, in seq order, while they are prunable (key.used, auth.failed)
    // and older than the cut-off: pruning never makes a hole in the middle of a chain.
    const std::int64_t cutoff_ms = sqlite::to_unix_ms(cutoff);
    AuditPruneBatch batch;
    core::Bytes last_hash;
    {
      auto oldest = c.prepare("SELECT seq, hash, action, time FROM audit_log WHERE chain = ?1 ORDER BY seq LIMIT ?2");
      if (!oldest) return oldest.error();
      oldest->bind_text(1, chain);
      oldest->bind_int(2, static_cast<std::int64_t>(limit));
      for (;;) {
        auto row = oldest->step("finding audit events to prune");
        if (!row) return row.error();
        if (!*row) break;
        if (!is_prunable_audit_action(oldest->text_at(2)) || oldest->int_at(3) >= cutoff_ms) break;
        batch.through_seq = oldest->int_at(0);
        last_hash = oldest->blob_at(1);
        ++batch.pruned;
      }
    }  // the read statement is done before the writes
    if (batch.pruned == 0) return batch;

    auto previous = load_checkpoint(c, chain);
    if (!previous) return previous.error();
    AuditCheckpoint checkpoint;
    checkpoint.chain = std::string(chain);
    checkpoint.seq = batch.through_seq;
    checkpoint.hash = std::move(last_hash);
    checkpoint.count = (*previous ? (*previous)->count : 0) + batch.pruned;
    checkpoint.created_at = cutoff;
    if (auto sealed = sealer_.seal_checkpoint(checkpoint); !sealed) return sealed.error();

    auto remove = c.prepare("DELETE FROM audit_log WHERE chain = ?1 AND seq <= ?2");
    if (!remove) return remove.error();
    remove->bind_text(1, chain);
    remove->bind_int(2, batch.through_seq);
    if (auto removed = remove->run("pruning audit events"); !removed) return removed.error();
    if (remove->changes() != batch.pruned) return core::Error::internal("audit prune deleted an unexpected number of events");

    auto save = c.prepare(
        "INSERT INTO audit_checkpoints (chain, seq, hash, count, master_version, mac, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, "
        "hash = excluded.hash, count = excluded.count, master_version = excluded.master_version, "
        "mac = excluded.mac, created_at = excluded.created_at");
    if (!save) return save.error();
    save->bind_text(1, checkpoint.chain);
    save->bind_int(2, checkpoint.seq);
    save->bind_blob(3, checkpoint.hash);
    save->bind_int(4, checkpoint.count);
    save->bind_int(5, checkpoint.master_version);
    save->bind_blob(6, checkpoint.mac);
    save->bind_time(7, checkpoint.created_at);
    if (auto saved = save->run("saving an audit checkpoint"); !saved) return saved.error();

    AuditEvent event = pruned_event(batch);
    if (auto appended = sqlite::append_audit_event(c, sealer_, event); !appended) return appended.error();
    return batch;
  });
}

}  // namespace keyrelay::store
