#pragma once
// Appending one audit event to its hash chain, inside the caller's write transaction.
//
// Appends to one chain are serialised by a transaction-scoped advisory lock on the chain's name
// (pg_advisory_xact_lock(hashtextextended(chain, 0))): taken before the head is read and held until
// the caller commits or rolls back, so no other transaction can read the same head and link a
// second event to it. Under READ COMMITTED the head read after the lock sees every append
// committed before. Appends to different chains (other nodes) never wait on each other, except on
// a hash collision of their names, which only costs a wait.
// Sets event.seq (the chain's next number; after a checkpoint when the chain was pruned to its
// end), lets the sealer link the event (master_version, hash) and inserts it.

#include "core/result.h"
#include "store/postgres/connection.h"
#include "store/records.h"
#include "store/store.h"

namespace keyrelay::store::postgres {

// The sealer's error when it fails; conflict when the event id exists; otherwise as postgres_error().
core::Result<void> append_audit_event(Connection& conn, const ChainSealer& sealer, AuditEvent& event);

}  // namespace keyrelay::store::postgres
