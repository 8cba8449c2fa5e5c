// SqliteStore: master-key rotation (finding, re-wrapping and counting rows per master version).

#include <algorithm>
#include <cstdint>

#include "store/sqlite/bulk_writer.h"
#include "store/sqlite/connection_pool.h"
#include "store/sqlite/query_helpers.h"
#include "store/sqlite/row_mapping.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/transaction.h"

namespace keyrelay::store {

using sqlite::Bump;
using sqlite::Connection;

core::Result<std::vector<KeyRecord>> SqliteStore::keys_not_on_version(std::uint32_t version, std::size_t limit) {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  // `<` or `>` rather than `<>`, and no ORDER BY: two range searches of api_keys_by_master_version,
  // so the cost follows the rows still to move, not the whole table (a scan of every key per
  // re-wrap batch before).
  static const std::string kSql = sqlite::select_sql(
      sqlite::kKeyColumns, "FROM api_keys WHERE master_version < ?1 OR master_version > ?1 LIMIT ?2");
  auto stmt = (*conn)->prepare(kSql);
  if (!stmt) return stmt.error();
  stmt->bind_int(1, version);
  stmt->bind_int(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
  std::vector<KeyRecord> keys;
  for (;;) {
    auto row = stmt->step("keys_not_on_version");
    if (!row) return row.error();
    if (!*row) return keys;
    auto key = sqlite::read_key(*stmt);
    if (!key) return key.error();
    keys.push_back(std::move(*key));
  }
}

core::Result<std::size_t> SqliteStore::rewrap_keys(const std::vector<RewrappedKey>& batch) {
  if (batch.empty()) return std::size_t{0};
  auto conn = bulk_writer_->acquire();
  if (!conn) return conn.error();
  Connection& c = **conn;
  std::size_t changed = 0;
  // Bump only when a row moved: a batch whose rows all moved meanwhile changes nothing.
  auto tx = sqlite::Transaction::begin_write(c);
  if (!tx) return tx.error();
  for (const auto& key : batch) {
    auto update = c.prepare(
        "UPDATE api_keys SET master_version = ?3, wrapped_data_key = ?4, fingerprint = ?5 "
        "WHERE id = ?1 AND master_version = ?2 AND version = ?6");
    if (!update) return update.error();
    update->bind_text(1, key.id);
    update->bind_int(2, key.from_version);
    update->bind_int(3, key.to_version);
    update->bind_blob(4, key.wrapped_data_key);
    update->bind_blob(5, key.fingerprint);
    // A key given a new secret since it was read has a new data key: the re-wrapped old one must
    // not be stored beside it. The row stays and the next batch re-reads it.
    update->bind_int(6, key.secret_version);
    if (auto updated = update->run("rewrap_keys"); !updated) return updated.error();
    changed += static_cast<std::size_t>(update->changes());
  }
  if (changed > 0) {
    if (auto bumped = sqlite::bump_generation(c); !bumped) return bumped.error();
  }
  if (auto committed = tx->commit(); !committed) return committed.error();
  return changed;
}

void SqliteStore::end_rewrap() noexcept { bulk_writer_->release(); }

core::Result<std::map<std::uint32_t, std::int64_t>> SqliteStore::rows_by_master_version() {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  Connection& c = **conn;
  auto tx = sqlite::Transaction::begin_read(c);
  if (!tx) return tx.error();
  std::map<std::uint32_t, std::int64_t> rows;
  auto stmt = c.prepare("SELECT master_version, count(*) FROM api_keys GROUP BY master_version");
  if (!stmt) return stmt.error();
  for (;;) {
    auto row = stmt->step("rows_by_master_version");
    if (!row) return row.error();
    if (!*row) break;
    rows[static_cast<std::uint32_t>(stmt->int_at(0))] += stmt->int_at(1);
  }
  if (auto done = tx->commit(); !done) return done.error();
  return rows;
}

}  // namespace keyrelay::store
