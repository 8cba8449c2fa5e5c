// PostgresStore: the audit log (standalone appends and the readers of the trail).
// The trail is not user-owned (migration_scripts.cpp): its calls take the admin path.
// Foundation state: append_audit, audit_chains and audit_chain_events are done (the contract
// suites of the other areas read events through them); list_audit, audit_checkpoint and
// prune_audit are pg-audit's and not implemented yet.

#include "store/postgres/audit_append.h"
#include "store/postgres/connection_pool.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/row_mapping.h"
#include "store/postgres/transaction.h"

namespace keyrelay::store {

using postgres::Access;
using postgres::Connection;
using postgres::Params;

core::Result<void> PostgresStore::append_audit(std::vector<AuditEvent> events) {
  if (events.empty()) return core::ok();
  return postgres::run_transaction(
      *pool_, Access::admin(), postgres::Mode::write, postgres::Bump::none, [&](Connection& c) -> core::Result<void> {
        for (const auto& event : events) {
          AuditEvent sealed = event;  // a retried transaction seals afresh
          if (auto appended = postgres::append_audit_event(c, sealer_, sealed); !appended) return appended;
        }
        return core::ok();
      });
}

core::Result<Page<AuditEvent>> PostgresStore::list_audit(const AuditFilter&, const PageRequest&) {
  return core::Error::internal("PostgresStore::list_audit is not implemented yet");
}

core::Result<std::vector<std::string>> PostgresStore::audit_chains() {
  return postgres::read_transaction(*pool_, Access::admin(), [&](Connection& c) -> core::Result<std::vector<std::string>> {
    auto rows = c.query("SELECT DISTINCT chain FROM audit_log UNION SELECT chain FROM audit_checkpoints ORDER BY 1",
                        "audit_chains");
    if (!rows) return rows.error();
    std::vector<std::string> chains;
    for (int i = 0; i < rows->size(); ++i) chains.push_back(rows->text_at(i, 0));
    return chains;
  });
}

core::Result<std::optional<AuditCheckpoint>> PostgresStore::audit_checkpoint(std::string_view) {
  return core::Error::internal("PostgresStore::audit_checkpoint is not implemented yet");
}

core::Result<AuditPruneBatch> PostgresStore::prune_audit(std::string_view, TimePoint, std::size_t,
                                                         const std::function<AuditEvent(const AuditPruneBatch&)>&) {
  return core::Error::internal("PostgresStore::prune_audit is not implemented yet");
}

core::Result<std::vector<AuditEvent>> PostgresStore::audit_chain_events(std::string_view chain, std::int64_t after_seq,
                                                                        std::size_t limit) {
  static const std::string kSql = postgres::select_sql(
      postgres::kAuditColumns, "FROM audit_log WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT $3");
  return postgres::read_transaction(*pool_, Access::admin(), [&](Connection& c) -> core::Result<std::vector<AuditEvent>> {
    auto rows = c.query(kSql, Params().text(chain).integer(after_seq).integer(static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX))),
                        "audit_chain_events");
    if (!rows) return rows.error();
    return postgres::read_all<AuditEvent>(*rows, postgres::read_audit);
  });
}

}  // namespace keyrelay::store
