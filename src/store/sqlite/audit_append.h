#pragma once
// Appending one audit event to its hash chain, inside the caller's write transaction.
//
// Reads the chain head (last seq and hash), sets event.seq to the next number (1 for a new chain),
// lets the sealer link the event (master_version, hash) and inserts it. The caller's transaction
// was begun IMMEDIATE, so no other writer can append to the chain between the read and the insert;
// if anything fails the caller rolls back and the change the event describes is undone with it.

#include <vector>

#include "core/result.h"
#include "store/records.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace keyrelay::store::sqlite {

// The sealer's error when it fails; conflict when the event id exists; otherwise as sqlite_error().
core::Result<void> append_audit_event(Connection& conn, const ChainSealer& sealer, AuditEvent& event);

// append_audit_event() for each of `events` in order, reading each chain's head once: the rest of
// the batch is linked from the event before it (a usage batch of thousands of key.used events
// costs one head lookup, not one per event).
core::Result<void> append_audit_events(Connection& conn, const ChainSealer& sealer, std::vector<AuditEvent>& events);

}  // namespace keyrelay::store::sqlite
