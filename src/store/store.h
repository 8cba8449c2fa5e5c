#pragma once
// Store: everything the services persist, as the aggregate of one narrow interface per area, with
// two engines (SQLite now, PostgreSQL later) and one contract test suite that runs against both.
// Engines implement Store; the composition root (src/cli) holds one and hands each service only
// the areas it uses (a service takes KeyStore&, UserStore&, …, never Store&).
//
// The rules every call of every area follows:
// Thread-safe: engines keep their own connections; every call may come from any worker thread.
// Calls block (disk, network): never call them on an I/O thread, hand them to the worker pool.
// Every call that changes data is one transaction: it commits whole or changes nothing, it bumps
// the store generation (so other processes drop their caches; not the hot-path bookkeeping of
// append_audit, touch_tokens and add_usage), and management changes append their audit event in
// that same transaction, so a change whose event cannot be written does not happen.
// Reads of user data are scoped by owner: another owner's row is reported as not_found.
//
// Errors: not_found, conflict (with a message naming what collides), invalid_request (a malformed
// cursor), unavailable (database busy/unreachable), internal (anything else; details only logged).

#include "store/alert_store.h"
#include "store/audit_append_store.h"
#include "store/audit_chain_sealer.h"
#include "store/audit_chain_store.h"
#include "store/audit_prune_store.h"
#include "store/audit_query_store.h"
#include "store/cap_store.h"
#include "store/import_store.h"
#include "store/key_inventory_store.h"
#include "store/key_store.h"
#include "store/node_store.h"
#include "store/rotation_store.h"
#include "store/schema_store.h"
#include "store/token_store.h"
#include "store/usage_store.h"
#include "store/user_data_store.h"
#include "store/user_store.h"

namespace keyrelay::store {

// The areas are disjoint (no method in two of them), so an engine overrides each method once.
class Store : public SchemaStore,
              public UserStore,
              public TokenStore,
              public KeyStore,
              public KeyInventoryStore,
              public ImportStore,
              public RotationStore,
              public NodeStore,
              public AuditAppendStore,
              public AuditChainStore,
              public AuditPruneStore,
              public AuditQueryStore,
              public UsageStore,
              public AlertStore,
              public CapStore,
              public UserDataStore {
 public:
  ~Store() override = default;
};

}  // namespace keyrelay::store
