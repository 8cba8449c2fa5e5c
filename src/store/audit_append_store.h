#pragma once
// AuditAppendStore: appends audit events that are not part of a change (a change appends its own
// event in its transaction, through the store of its area). The one audit call of the hot path.
// Every call follows the rules in store/store.h (threads, one transaction per change, errors).

#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace keyrelay::store {

class AuditAppendStore {
 public:
  virtual ~AuditAppendStore() = default;

  // Appends events that are not part of a change (key.read, auth.failed, key.used).
  virtual core::Result<void> append_audit(std::vector<AuditEvent> events) = 0;
};

}  // namespace keyrelay::store
