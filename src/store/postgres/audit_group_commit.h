#pragma once
// Group commit of audit events: a batch appended inside the caller's write transaction in a fixed
// number of round trips, whatever its size — one statement locks every chain the batch touches,
// one reads their heads, one multi-row INSERT (unnest of arrays) writes the events.
//
// The locks are audit_append.h's (a transaction-scoped advisory lock per chain name), taken in
// ascending lock-key order so that two batches over the same chains wait for each other instead of
// deadlocking; a single append_audit_event() in the same or another transaction serialises with
// them on the same key. Heads are read after the locks, so under READ COMMITTED they include every
// append committed before. Events are then numbered and sealed in batch order, each chain going on
// from its head (or from its checkpoint when it was pruned to its end, or from 1).

#include <vector>

#include "core/result.h"
#include "store/postgres/connection.h"
#include "store/records.h"
#include "store/store.h"

namespace keyrelay::store::postgres {

// Sets seq, master_version and hash of every event and inserts them all. The sealer's error when it
// fails (nothing inserted); conflict when an event id exists already or twice in the batch;
// otherwise as postgres_error(). On failure the caller rolls back; `events` may be half sealed.
core::Result<void> append_audit_events(Connection& conn, const ChainSealer& sealer, std::vector<AuditEvent>& events);

}  // namespace keyrelay::store::postgres
