// PostgresStore: alerts. pg-audit's area (issue 13 item 4/5); not implemented yet.

#include "store/postgres/postgres_store.h"

namespace keyrelay::store {

core::Result<AlertRecord> PostgresStore::raise_alert(const AlertRecord&, AuditEvent) {
  return core::Error::internal("PostgresStore::raise_alert is not implemented yet");
}

core::Result<Page<AlertRecord>> PostgresStore::list_alerts(const AlertFilter&, const PageRequest&) {
  return core::Error::internal("PostgresStore::list_alerts is not implemented yet");
}

core::Result<AlertRecord> PostgresStore::resolve_alert(std::string_view, std::optional<std::string_view>, TimePoint,
                                                       AuditEvent) {
  return core::Error::internal("PostgresStore::resolve_alert is not implemented yet");
}

}  // namespace keyrelay::store
