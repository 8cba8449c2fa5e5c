#pragma once
// Copying one store into another, row for row: `keyrelay store copy`, the way up from the SQLite
// default to PostgreSQL. Rows are copied as they are stored — sealed secrets, wrapped data keys and
// audit hashes byte for byte, ids and times unchanged — so nothing is decrypted or re-sealed (the
// copy needs no keyring) and every audit chain verifies on the target as it did on the source.
//
// The source is read as one snapshot; the target is written in one transaction that first checks
// that every table is empty, so a failure anywhere (a refused row, a lost connection, a column the
// target lacks) leaves the target as it was. The schema bookkeeping (schema_migrations,
// store_generation) is the target's own: both stores must be migrated to the same schema first.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace keyrelay::store {

// One stored value: NULL, an integer (times, counters, booleans as 0/1), a real, text or bytes.
using CopyValue = std::variant<std::monostate, std::int64_t, double, std::string, core::Bytes>;
using CopyRow = std::vector<CopyValue>;

struct CopyTable {
  std::string name;
  std::vector<std::string> columns;
};

// Receives the rows of one table, a batch at a time.
using CopyRowSink = std::function<core::Result<void>(const std::vector<CopyRow>& rows)>;

class CopySource {
 public:
  virtual ~CopySource() = default;
  // The tables to copy (every table but the schema bookkeeping), parents before the tables whose
  // foreign keys point at them, each with its columns. Starts the snapshot every read() sees.
  virtual core::Result<std::vector<CopyTable>> tables() = 0;
  // Every row of `table` in batches of at most `batch` rows, values in `table.columns` order.
  virtual core::Result<void> read(const CopyTable& table, std::size_t batch, const CopyRowSink& sink) = 0;
  // The schema version the rows are in (schema_migrations), read in the same snapshot.
  virtual core::Result<int> schema_version() = 0;
};

class CopyTarget {
 public:
  virtual ~CopyTarget() = default;
  // Opens the one transaction of the copy. conflict when any table of the target holds a row;
  // invalid_request when the target's tables are not the source's `tables` (a table or column
  // missing on either side: the two stores are on different schema versions).
  virtual core::Result<void> begin(const std::vector<CopyTable>& tables) = 0;
  virtual core::Result<void> write(const CopyTable& table, const std::vector<CopyRow>& rows) = 0;
  // Commits (and tells running servers that the data changed).
  virtual core::Result<void> commit() = 0;
  // Undoes everything written since begin(); safe to call when nothing was begun.
  virtual void rollback() noexcept = 0;
};

struct CopyReport {
  std::vector<std::pair<std::string, std::int64_t>> rows;  // per table, in copy order
  std::int64_t total() const;
};

// Copies every row of `from` into `to` in one transaction of `to`; on any error rolls it back and
// returns the error, leaving `to` unchanged.
core::Result<CopyReport> copy_store(CopySource& from, CopyTarget& to, std::size_t batch = 500);

}  // namespace keyrelay::store
