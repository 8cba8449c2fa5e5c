#pragma once
// The row writes that create_user() and insert_key() make inside their transaction, for the calls
// that make several of them in one transaction (insert_keys(), insert_import()): each checks its
// rules against the rows the transaction sees, inserts the row and appends its audit event.

#include "core/result.h"
#include "store/records.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace keyrelay::store::sqlite {

// conflict when the user's name, external id or id is taken.
core::Result<void> insert_user_row(Connection& conn, const ChainSealer& sealer, const UserRecord& user,
                                   AuditEvent& event);
// not_found when the owner does not exist; conflict as KeyStore::insert_key().
core::Result<void> insert_key_row(Connection& conn, const ChainSealer& sealer, const KeyRecord& key,
                                  AuditEvent& event);

}  // namespace keyrelay::store::sqlite
