#include "store/sqlite/audit_append.h"

#include <string>
#include <unordered_map>

#include "store/sqlite/row_mapping.h"

namespace keyrelay::store::sqlite {

namespace {

constexpr std::string_view kDoing = "appending an audit event";

// The last seq and hash of a chain: its newest event, or the checkpoint a chain pruned to its end
// goes on from; {0, empty} for a new chain.
struct ChainHead {
  std::int64_t seq = 0;
  core::Bytes hash;
};

core::Result<ChainHead> read_head(Connection& conn, const std::string& chain) {
  ChainHead head;
  {
    auto last = conn.prepare("SELECT seq, hash FROM audit_log WHERE chain = ?1 ORDER BY seq DESC LIMIT 1");
    if (!last) return last.error();
    last->bind_text(1, chain);
    auto row = last->step(kDoing);
    if (!row) return row.error();
    if (*row) return ChainHead{last->int_at(0), last->blob_at(1)};
  }
  auto checkpoint = conn.prepare("SELECT seq, hash FROM audit_checkpoints WHERE chain = ?1");
  if (!checkpoint) return checkpoint.error();
  checkpoint->bind_text(1, chain);
  auto row = checkpoint->step(kDoing);
  if (!row) return row.error();
  if (*row) head = ChainHead{checkpoint->int_at(0), checkpoint->blob_at(1)};
  return head;
}

// Links `event` after `head`, inserts it and moves `head` on to it.
core::Result<void> append_after(Connection& conn, const ChainSealer& sealer, AuditEvent& event, ChainHead& head) {
  ++conn.pending_audit_events;  // settled when the transaction ends (transaction.h)
  event.seq = head.seq + 1;
  if (auto sealed = sealer.seal(event, head.hash); !sealed) return sealed.error();
  auto insert = conn.prepare(kInsertAudit);
  if (!insert) return insert.error();
  bind_audit(*insert, event);
  auto inserted = insert->run(kDoing);
  if (!inserted && inserted.error().code == core::Errc::conflict)
    return core::Error::conflict("an audit event with id '" + event.id + "' already exists");
  if (!inserted) return inserted;
  head = ChainHead{event.seq, event.hash};
  return core::ok();
}

}  // namespace

core::Result<void> append_audit_event(Connection& conn, const ChainSealer& sealer, AuditEvent& event) {
  auto head = read_head(conn, event.chain);
  if (!head) return head.error();
  return append_after(conn, sealer, event, *head);
}

core::Result<void> append_audit_events(Connection& conn, const ChainSealer& sealer, std::vector<AuditEvent>& events) {
  std::unordered_map<std::string, ChainHead> heads;
  for (auto& event : events) {
    auto head = heads.find(event.chain);
    if (head == heads.end()) {
      auto read = read_head(conn, event.chain);
      if (!read) return read.error();
      head = heads.emplace(event.chain, std::move(*read)).first;
    }
    if (auto appended = append_after(conn, sealer, event, head->second); !appended) return appended;
  }
  return core::ok();
}

}  // namespace keyrelay::store::sqlite
