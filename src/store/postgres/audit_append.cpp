#include "store/postgres/audit_append.h"

#include "store/postgres/row_mapping.h"

namespace keyrelay::store::postgres {

core::Result<void> append_audit_event(Connection& conn, const ChainSealer& sealer, AuditEvent& event) {
  constexpr std::string_view kDoing = "appending an audit event";
  ++conn.pending_audit_events;  // settled when the transaction ends (transaction.h)
  Params chain;
  chain.text(event.chain);
  if (auto locked = conn.query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))", chain, kDoing); !locked)
    return locked.error();
  // The newest event, or else the checkpoint a chain pruned to its end goes on from.
  auto head = conn.query(
      "SELECT seq, hash FROM (SELECT seq, hash FROM audit_log WHERE chain = $1 ORDER BY seq DESC LIMIT 1) AS newest "
      "UNION ALL SELECT seq, hash FROM audit_checkpoints WHERE chain = $1 "
      "AND NOT EXISTS (SELECT 1 FROM audit_log WHERE chain = $1)",
      chain, kDoing);
  if (!head) return head.error();
  core::Bytes prev_hash;
  event.seq = 1;
  if (!head->empty()) {
    event.seq = head->int_at(0, 0) + 1;
    prev_hash = head->bytes_at(0, 1);
  }
  if (auto sealed = sealer.seal(event, prev_hash); !sealed) return sealed.error();
  Params row;
  add_audit(row, event);
  auto inserted = conn.query(kInsertAudit, row, kDoing);
  if (!inserted && inserted.error().code == core::Errc::conflict)
    return core::Error::conflict("an audit event with id '" + event.id + "' already exists");
  if (!inserted) return inserted.error();
  return core::ok();
}

}  // namespace keyrelay::store::postgres
