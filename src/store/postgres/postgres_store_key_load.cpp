// PostgresStore::insert_keys: a bulk load of keys (seeding, the re-wrap benchmark) in one
// transaction and a number of round trips that does not grow with the key count — the checks of
// insert_key as set-based statements, the rows as multi-row INSERTs, the events as one group commit.
// One key per transaction took ~2 ms (550 keys/s); a million keys would seed for half an hour.

#include <set>
#include <tuple>

#include "store/postgres/audit_group_commit.h"
#include "store/postgres/connection_pool.h"
#include "store/postgres/import_rows.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/row_mapping.h"
#include "store/postgres/transaction.h"

namespace keyrelay::store {

using postgres::Access;
using postgres::Connection;
using postgres::Params;

namespace {

using Load = std::vector<std::pair<KeyRecord, AuditEvent>>;

constexpr std::string_view kDoing = "checking the keys of a load";
constexpr std::size_t kColumnsPerKey = 25;  // kInsertKey's parameters
// Rows per INSERT: the largest is 512 (12,800 parameters of the 65,535 allowed); a remainder goes in
// power-of-two pieces, so a connection prepares at most ten statement texts for any load.
constexpr std::size_t kMaxRowsPerInsert = 512;

std::string conflict_on_name(const std::string& provider, const std::string& name) {
  return "a key named '" + name + "' already exists for provider '" + provider + "'";
}
std::string conflict_on_secret(const std::string& provider) {
  return "this secret is already stored for provider '" + provider + "'";
}

// "INSERT INTO api_keys (…) VALUES ($1 … $25), ($26 … $50), …" for `rows` rows.
std::string insert_sql(std::size_t rows) {
  const std::string_view single = postgres::kInsertKey;
  std::string sql(single.substr(0, single.find("VALUES") + 7));
  std::size_t n = 1;
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r ? ", (" : "(";
    for (std::size_t c = 0; c < kColumnsPerKey; ++c) sql += (c ? ", $" : "$") + std::to_string(n++);
    sql += ")";
  }
  return sql;
}

// The rules insert_key checks row by row, for the whole load: inside the load first (no store
// access), then against the stored rows with one statement per rule.
core::Result<void> check_within_load(const Load& load) {
  std::set<std::string> ids;
  std::set<std::tuple<std::string, std::string, std::string>> names;
  std::set<std::tuple<std::string, std::string, core::Bytes>> secrets;
  for (const auto& [key, event] : load) {
    if (!ids.insert(key.id).second) return core::Error::conflict("a key with id '" + key.id + "' already exists");
    if (!names.emplace(key.owner_id, key.provider, key.name).second)
      return core::Error::conflict(conflict_on_name(key.provider, key.name));
    if (!secrets.emplace(key.owner_id, key.provider, key.fingerprint).second)
      return core::Error::conflict(conflict_on_secret(key.provider));
    for (const auto& other : key.equivalent_fingerprints)
      if (secrets.contains({key.owner_id, key.provider, other})) return core::Error::conflict(conflict_on_secret(key.provider));
  }
  return core::ok();
}

core::Result<void> check_against_store(Connection& conn, const Load& load) {
  std::set<std::string> owner_set;
  std::vector<std::string> ids, owners, providers, names, fp_owners, fp_providers;
  std::vector<core::Bytes> fingerprints;
  for (const auto& [key, event] : load) {
    owner_set.insert(key.owner_id);
    ids.push_back(key.id);
    owners.push_back(key.owner_id);
    providers.push_back(key.provider);
    names.push_back(key.name);
    // The same secret may be fingerprinted under another master version in a row not re-wrapped yet.
    fp_owners.push_back(key.owner_id);
    fp_providers.push_back(key.provider);
    fingerprints.push_back(key.fingerprint);
    for (const auto& other : key.equivalent_fingerprints) {
      fp_owners.push_back(key.owner_id);
      fp_providers.push_back(key.provider);
      fingerprints.push_back(other);
    }
  }
  const std::vector<std::string> distinct_owners(owner_set.begin(), owner_set.end());
  auto found_owners = conn.query("SELECT count(*) FROM users WHERE id = ANY($1::text[])",
                                 Params().text(postgres::text_array(distinct_owners)), kDoing);
  if (!found_owners) return found_owners.error();
  if (static_cast<std::size_t>(found_owners->int_at(0, 0)) != distinct_owners.size())
    return core::Error::not_found("owner not found");

  auto taken_id = conn.query("SELECT id FROM api_keys WHERE id = ANY($1::text[]) LIMIT 1",
                             Params().text(postgres::text_array(ids)), kDoing);
  if (!taken_id) return taken_id.error();
  if (!taken_id->empty()) return core::Error::conflict("a key with id '" + taken_id->text_at(0, 0) + "' already exists");

  auto taken_name = conn.query(
      "SELECT k.provider, k.name FROM unnest($1::text[], $2::text[], $3::text[]) AS b (owner_id, provider, name) "
      "JOIN api_keys k ON k.owner_id = b.owner_id AND k.provider = b.provider AND k.name = b.name LIMIT 1",
      Params().text(postgres::text_array(owners)).text(postgres::text_array(providers)).text(postgres::text_array(names)),
      kDoing);
  if (!taken_name) return taken_name.error();
  if (!taken_name->empty())
    return core::Error::conflict(conflict_on_name(taken_name->text_at(0, 0), taken_name->text_at(0, 1)));

  auto taken_secret = conn.query(
      "SELECT k.provider FROM unnest($1::text[], $2::text[], $3::text[]) AS b (owner_id, provider, fingerprint) "
      "JOIN api_keys k ON k.owner_id = b.owner_id AND k.provider = b.provider "
      "AND k.fingerprint = decode(b.fingerprint, 'hex') LIMIT 1",
      Params()
          .text(postgres::text_array(fp_owners))
          .text(postgres::text_array(fp_providers))
          .text(postgres::hex_array(fingerprints)),
      kDoing);
  if (!taken_secret) return taken_secret.error();
  if (!taken_secret->empty()) return core::Error::conflict(conflict_on_secret(taken_secret->text_at(0, 0)));
  return core::ok();
}

core::Result<void> insert_rows(Connection& conn, const Load& load) {
  std::size_t next = 0;
  while (next < load.size()) {
    std::size_t rows = kMaxRowsPerInsert;
    while (rows > load.size() - next) rows /= 2;
    Params p;
    for (std::size_t i = next; i < next + rows; ++i) postgres::add_key(p, load[i].first);
    if (auto inserted = conn.query(insert_sql(rows), p, "insert_keys"); !inserted) {
      // A unique index said no to a row the checks could not see (a concurrent twin).
      if (inserted.error().code == core::Errc::conflict)
        return core::Error::conflict("a key of the load conflicts with one stored meanwhile");
      return inserted.error();
    }
    next += rows;
  }
  return core::ok();
}

}  // namespace

core::Result<void> postgres::check_key_load(const Load& load) { return check_within_load(load); }

core::Result<void> postgres::insert_key_load(Connection& conn, const ChainSealer& sealer, const Load& load) {
  if (auto checked = check_against_store(conn, load); !checked) return checked;
  if (auto inserted = insert_rows(conn, load); !inserted) return inserted;
  std::vector<AuditEvent> events;
  events.reserve(load.size());
  for (const auto& [key, event] : load) events.push_back(event);
  return postgres::append_audit_events(conn, sealer, events);
}

core::Result<void> PostgresStore::insert_keys(std::vector<std::pair<KeyRecord, AuditEvent>> keys) {
  if (keys.empty()) return core::ok();
  if (auto checked = check_within_load(keys); !checked) return checked;
  // The admin path: a load may hold keys of many owners (the checks above name each owner).
  return postgres::write_transaction(*pool_, Access::admin(),
                                     [&](Connection& c) { return postgres::insert_key_load(c, sealer_, keys); });
}

}  // namespace keyrelay::store
