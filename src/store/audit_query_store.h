#pragma once
// AuditQueryStore: searches the audit log, newest first (the audit API).
// Every call follows the rules in store/store.h (threads, one transaction per change, errors).

#include <optional>
#include <string>

#include "core/result.h"
#include "store/records.h"

namespace keyrelay::store {

struct AuditFilter {
  std::optional<std::string> visible_to;  // user id: events they acted in, were acted for, or whose key it was
  std::optional<std::string> action;
  std::optional<std::string> key_id;
  std::optional<TimePoint> from;  // inclusive
  std::optional<TimePoint> to;    // inclusive
};

class AuditQueryStore {
 public:
  virtual ~AuditQueryStore() = default;

  // Newest first.
  virtual core::Result<Page<AuditEvent>> list_audit(const AuditFilter& filter, const PageRequest& page) = 0;
};

}  // namespace keyrelay::store
