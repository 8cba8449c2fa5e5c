#pragma once
// UserDataService: the rules around a user's own data. Who may export or delete a user is decided
// by the callers (API: an admin, or the user itself; CLI: the operator); this service records an
// export (user.exported) before any of it is written out, and deletes a user with everything the
// store holds about them in one transaction with its user.deleted event (store::UserDataStore).
// The audit trail is kept: it records what happened to the user, the deletion included, and
// deleting events from a hash chain would break `keyrelay audit verify`.
//
// Thread-safe; blocking (store calls). The stores and `clock` must outlive the service.

#include <string>
#include <string_view>

#include "audit/actor.h"
#include "core/clock.h"
#include "core/result.h"
#include "store/audit_append_store.h"
#include "store/user_data_store.h"

namespace keyrelay::accounts {

class UserDataService {
 public:
  UserDataService(store::UserDataStore& user_data, store::AuditAppendStore& audit, const core::Clock& clock,
                  std::string audit_chain);

  // Appends user.exported (by `caller`, about `user`) before the export is written: no export
  // leaves without its record. Store errors.
  core::Result<void> record_export(const audit::Actor& caller, const store::UserRecord& user);

  // Deletes `user_id` with all their tokens, keys, usage, alerts and caps, and appends
  // user.deleted (by `caller`, naming the user and how many rows went) in the same transaction.
  // Returns what was removed: the caller drops its caches of the user (tokens, keys, derived keys).
  // not_found: no such user; invalid_request: the operator's system user; conflict: the last admin.
  core::Result<store::UserRemoval> delete_user(const audit::Actor& caller, std::string_view user_id);

 private:
  store::UserDataStore& user_data_;
  store::AuditAppendStore& audit_;
  const core::Clock& clock_;
  std::string audit_chain_;
};

}  // namespace keyrelay::accounts
