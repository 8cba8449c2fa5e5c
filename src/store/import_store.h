#pragma once
// ImportStore: a load of keys from another system (keyrelay import), together with the users it
// creates, as one transaction: every user and key with its audit event is stored, or nothing is.
// Every call follows the rules in store/store.h (threads, one transaction per change, errors).

#include <utility>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace keyrelay::store {

struct ImportLoad {
  std::vector<std::pair<UserRecord, AuditEvent>> users;  // stored first, each as create_user() would
  std::vector<std::pair<KeyRecord, AuditEvent>> keys;    // then each as insert_key() would, in order
};

class ImportStore {
 public:
  virtual ~ImportStore() = default;

  // Stores the load; the first error (a conflict as create_user() or insert_key() name it, or
  // not_found for a key whose owner is neither stored nor in the load) undoes all of it.
  virtual core::Result<void> insert_import(ImportLoad load) = 0;
};

}  // namespace keyrelay::store
