#include "store/sqlite/audit_append.h"

#include "store/sqlite/row_mapping.h"

namespace keyrelay::store::sqlite {

core::Result<void> append_audit_event(Connection& conn, const ChainSealer& sealer, AuditEvent& event) {
  constexpr std::string_view kDoing = "appending an audit event";
  ++conn.pending_audit_events;  // settled when the transaction ends (transaction.h)
  core::Bytes prev_hash;
  {
    auto head = conn.prepare("SELECT seq, hash FROM audit_log WHERE chain = ?1 ORDER BY seq DESC LIMIT 1");
    if (!head) return head.error();
    head->bind_text(1, event.chain);
    auto row = head->step(kDoing);
    if (!row) return row.error();
    event.seq = *row ? head->int_at(0) + 1 : 1;
    if (*row) prev_hash = head->blob_at(1);
  }
  if (event.seq == 1) {
    // A chain pruned to its end goes on from its checkpoint, not from 1.
    auto checkpoint = conn.prepare("SELECT seq, hash FROM audit_checkpoints WHERE chain = ?1");
    if (!checkpoint) return checkpoint.error();
    checkpoint->bind_text(1, event.chain);
    auto row = checkpoint->step(kDoing);
    if (!row) return row.error();
    if (*row) {
      event.seq = checkpoint->int_at(0) + 1;
      prev_hash = checkpoint->blob_at(1);
    }
  }
  if (auto sealed = sealer.seal(event, prev_hash); !sealed) return sealed.error();

  auto insert = conn.prepare(kInsertAudit);
  if (!insert) return insert.error();
  bind_audit(*insert, event);
  auto inserted = insert->run(kDoing);
  if (!inserted && inserted.error().code == core::Errc::conflict)
    return core::Error::conflict("an audit event with id '" + event.id + "' already exists");
  return inserted;
}

}  // namespace keyrelay::store::sqlite
