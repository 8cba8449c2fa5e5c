// PostgresStore: master-key rotation (finding, re-wrapping and counting rows per master version).
// Rotation spans every owner: the admin path.

#include <algorithm>
#include <cstdint>

#include "store/postgres/connection_pool.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/row_mapping.h"
#include "store/postgres/transaction.h"

namespace keyrelay::store {

using postgres::Access;
using postgres::Connection;
using postgres::Params;

core::Result<std::vector<KeyRecord>> PostgresStore::keys_not_on_version(std::uint32_t version, std::size_t limit) {
  // Two range scans of (master_version, id), not `<> $1 ORDER BY id`: that walks the primary key
  // past every row already moved, so each batch of a big re-wrap would cost more than the last.
  static const std::string kSql =
      "(" + postgres::select_sql(postgres::kKeyColumns,
                                 "FROM api_keys WHERE master_version < $1 ORDER BY master_version, id LIMIT $2") +
      ") UNION ALL (" +
      postgres::select_sql(postgres::kKeyColumns,
                           "FROM api_keys WHERE master_version > $1 ORDER BY master_version, id LIMIT $2") +
      ") LIMIT $2";
  return postgres::read_transaction(*pool_, Access::admin(), [&](Connection& c) -> core::Result<std::vector<KeyRecord>> {
    auto rows = c.query(kSql, Params().integer(version).integer(static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX))),
                        "keys_not_on_version");
    if (!rows) return rows.error();
    return postgres::read_all<KeyRecord>(*rows, postgres::read_key);
  });
}

core::Result<std::size_t> PostgresStore::rewrap_keys(const std::vector<RewrappedKey>& batch) {
  if (batch.empty()) return std::size_t{0};
  std::vector<std::string> ids;
  std::vector<std::int64_t> from, secret, to;
  std::vector<core::Bytes> wrapped, fingerprints;
  for (const auto& key : batch) {
    ids.push_back(key.id);
    from.push_back(key.from_version);
    secret.push_back(key.secret_version);
    to.push_back(key.to_version);
    wrapped.push_back(key.wrapped_data_key);
    fingerprints.push_back(key.fingerprint);
  }
  Params p;
  p.text(postgres::text_array(ids)).text(postgres::integer_array(from)).text(postgres::integer_array(secret));
  p.text(postgres::integer_array(to)).text(postgres::hex_array(wrapped)).text(postgres::hex_array(fingerprints));
  // One statement for the whole batch. A row is moved only while it is still on from_version and
  // still holds secret_version: a key given a new secret since it was read has a new data key, and
  // the re-wrapped old one must not be stored beside it (the next batch re-reads it).
  // Bumps only when a row moved.
  return postgres::run_transaction(
      *pool_, Access::admin(), postgres::Mode::write, postgres::Bump::none,
      [&](Connection& c) -> core::Result<std::size_t> {
        // The generic plan (unnest estimated at a few rows) looks each row up by its index: O(batch).
        // A custom plan sees the whole array and may merge-join from the table's first id on, which
        // costs more the further a re-wrap has got: it does not scale to a million keys.
        if (auto generic = c.exec("SET LOCAL plan_cache_mode = force_generic_plan", "planning rewrap_keys"); !generic)
          return generic.error();
        auto updated = c.query(
            "UPDATE api_keys AS k SET master_version = b.to_version, wrapped_data_key = decode(b.wrapped, 'hex'), "
            "fingerprint = decode(b.fingerprint, 'hex') "
            "FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[]) "
            "AS b (id, from_version, secret_version, to_version, wrapped, fingerprint) "
            "WHERE k.id = b.id AND k.master_version = b.from_version AND k.version = b.secret_version",
            p, "rewrap_keys");
        if (!updated) return updated.error();
        const auto changed = static_cast<std::size_t>(updated->affected());
        if (changed > 0) {
          if (auto bumped = postgres::bump_generation(c); !bumped) return bumped.error();
        }
        return changed;
      });
}

core::Result<std::map<std::uint32_t, std::int64_t>> PostgresStore::rows_by_master_version() {
  return postgres::read_transaction(
      *pool_, Access::admin(), [&](Connection& c) -> core::Result<std::map<std::uint32_t, std::int64_t>> {
        auto rows = c.query("SELECT master_version, count(*) FROM api_keys GROUP BY master_version",
                            "rows_by_master_version");
        if (!rows) return rows.error();
        std::map<std::uint32_t, std::int64_t> counts;
        for (int i = 0; i < rows->size(); ++i) counts[static_cast<std::uint32_t>(rows->int_at(i, 0))] += rows->int_at(i, 1);
        return counts;
      });
}

}  // namespace keyrelay::store
