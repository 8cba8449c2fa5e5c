#pragma once
// The writes of create_user() and insert_keys() inside the caller's transaction, for a call that
// makes both in one transaction (insert_import()). Each checks its rules against the rows the
// transaction sees, inserts and appends the audit events (copies of them: a retried transaction
// seals afresh).

#include <utility>
#include <vector>

#include "core/result.h"
#include "store/postgres/connection.h"
#include "store/records.h"
#include "store/store.h"

namespace keyrelay::store::postgres {

// conflict when the user's name, external id or id is taken.
core::Result<void> insert_user_row(Connection& conn, const ChainSealer& sealer, const UserRecord& user,
                                   const AuditEvent& event);

// The checks of insert_key among the keys of a load itself (no database access): conflict on a
// repeated id, name or secret. Run it before the transaction.
core::Result<void> check_key_load(const std::vector<std::pair<KeyRecord, AuditEvent>>& load);
// The keys of a load checked against the stored rows (owners exist, no conflicts), inserted, and
// their events appended as one group.
core::Result<void> insert_key_load(Connection& conn, const ChainSealer& sealer,
                                   const std::vector<std::pair<KeyRecord, AuditEvent>>& load);

}  // namespace keyrelay::store::postgres
