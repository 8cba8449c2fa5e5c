#pragma once
// SchemaStore: the database itself — migrations, health and the change generation.
// Every call follows the rules in store/store.h (threads, one transaction per change, errors).

#include <cstdint>

#include "core/result.h"

namespace keyrelay::store {

class SchemaStore {
 public:
  virtual ~SchemaStore() = default;

  // Applies pending migrations; returns how many were applied. Safe to run concurrently.
  virtual core::Result<int> migrate() = 0;
  virtual core::Result<int> schema_version() = 0;
  virtual core::Result<void> ping() = 0;
  // A number that changes whenever any process commits a change (cache invalidation).
  virtual core::Result<std::uint64_t> generation() = 0;
  // True when no user exists yet (a brand-new database).
  virtual core::Result<bool> is_empty() = 0;
};

}  // namespace keyrelay::store
