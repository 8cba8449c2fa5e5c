// PostgresStore: usage counters. pg-audit's area (issue 13 item 5); not implemented yet.

#include "store/postgres/postgres_store.h"

namespace keyrelay::store {

core::Result<void> PostgresStore::add_usage(const std::vector<UsageDelta>&) {
  return core::Error::internal("PostgresStore::add_usage is not implemented yet");
}

core::Result<std::vector<UsageRow>> PostgresStore::usage(const UsageQuery&) {
  return core::Error::internal("PostgresStore::usage is not implemented yet");
}

}  // namespace keyrelay::store
