// PostgresStore: provider keys. KeyStore calls run for the key's owner (row-level security), and
// every statement names the owner too: another owner's key is not_found twice over.
// KeyInventoryStore reads every owner's keys: the admin path.
// Deleted and replaced secrets: PostgreSQL keeps the old row version until VACUUM reclaims it
// (autovacuum), and cannot overwrite it in place as SQLite's secure_delete does; see
// docs/decisions.md "PostgreSQL engine".

#include "store/postgres/audit_append.h"
#include "store/postgres/connection_pool.h"
#include "store/postgres/paging.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/row_mapping.h"
#include "store/postgres/transaction.h"

namespace keyrelay::store {

using postgres::Access;
using postgres::Connection;
using postgres::Params;

namespace {

constexpr char kKeyList = 'k';
constexpr std::string_view kKeyOrder = "ORDER BY provider, priority, created_at, id";
// The derived status of key_status(): disabled > expired > invalid > active. $1 is `now`.
constexpr std::string_view kStatusAtNow =
    "CASE WHEN NOT enabled THEN 'disabled' WHEN expires_at IS NOT NULL AND expires_at <= $1::bigint THEN 'expired' "
    "WHEN validation_state = 'invalid' THEN 'invalid' ELSE 'active' END";

struct KeyPosition {
  std::string provider;
  std::int64_t priority = 0;
  std::int64_t created_at_ms = 0;
  std::string id;
};

core::Result<std::optional<KeyPosition>> parse_key_cursor(const PageRequest& page) {
  if (!page.cursor) return std::optional<KeyPosition>();
  auto reader = postgres::CursorReader::open(*page.cursor, kKeyList);
  if (!reader) return reader.error();
  auto provider = reader->next_text();
  if (!provider) return provider.error();
  auto priority = reader->next_int();
  if (!priority) return priority.error();
  auto created = reader->next_int();
  if (!created) return created.error();
  auto id = reader->next_text();
  if (!id) return id.error();
  if (auto done = reader->finish(); !done) return done.error();
  return std::optional<KeyPosition>(KeyPosition{std::move(*provider), *priority, *created, std::move(*id)});
}

std::string key_cursor(const KeyRecord& last) {
  return postgres::CursorWriter(kKeyList)
      .add(last.provider)
      .add(std::int64_t{last.priority})
      .add(postgres::to_unix_ms(last.created_at))
      .add(last.id)
      .finish();
}

core::Result<std::vector<KeyRecord>> read_keys(Connection& conn, std::string_view sql, const Params& p,
                                               std::string_view doing) {
  auto rows = conn.query(sql, p, doing);
  if (!rows) return rows.error();
  return postgres::read_all<KeyRecord>(*rows, postgres::read_key);
}

// `lock`: FOR UPDATE, so what a change compares stays true until it commits.
core::Result<KeyRecord> load_key(Connection& conn, std::string_view owner_id, std::string_view id, bool lock) {
  static const std::string kSql =
      postgres::select_sql(postgres::kKeyColumns, "FROM api_keys WHERE id = $1 AND owner_id = $2");
  static const std::string kLocked = kSql + " FOR UPDATE";
  auto keys = read_keys(conn, lock ? kLocked : kSql, Params().text(id).text(owner_id), "loading a key");
  if (!keys) return keys.error();
  if (keys->empty()) return core::Error::not_found("key not found");
  return std::move(keys->front());
}

core::Result<bool> exists(Connection& conn, std::string_view sql, const Params& p, std::string_view doing) {
  auto rows = conn.query(sql, p, doing);
  if (!rows) return rows.error();
  return !rows->empty();
}

// Names the rule `key` breaks against the owner's other keys (rows other than key.id).
core::Result<void> check_key_conflicts(Connection& conn, const KeyRecord& key) {
  constexpr std::string_view kDoing = "checking key uniqueness";
  auto name = exists(conn, "SELECT 1 FROM api_keys WHERE owner_id = $1 AND provider = $2 AND name = $3 AND id <> $4",
                     Params().text(key.owner_id).text(key.provider).text(key.name).text(key.id), kDoing);
  if (!name) return name.error();
  if (*name)
    return core::Error::conflict("a key named '" + key.name + "' already exists for provider '" + key.provider + "'");
  // The same secret may be fingerprinted under another master version in a row not re-wrapped yet.
  std::vector<const core::Bytes*> fingerprints{&key.fingerprint};
  for (const auto& other : key.equivalent_fingerprints) fingerprints.push_back(&other);
  for (const core::Bytes* fingerprint : fingerprints) {
    auto secret =
        exists(conn, "SELECT 1 FROM api_keys WHERE owner_id = $1 AND provider = $2 AND fingerprint = $3 AND id <> $4",
               Params().text(key.owner_id).text(key.provider).bytes(*fingerprint).text(key.id), kDoing);
    if (!secret) return secret.error();
    if (*secret) return core::Error::conflict("this secret is already stored for provider '" + key.provider + "'");
  }
  return core::ok();
}

core::Result<void> check_key_insert(Connection& conn, const KeyRecord& key) {
  constexpr std::string_view kDoing = "checking a new key";
  auto owner = exists(conn, "SELECT 1 FROM users WHERE id = $1", Params().text(key.owner_id), kDoing);
  if (!owner) return owner.error();
  if (!*owner) return core::Error::not_found("owner not found");
  auto id = exists(conn, "SELECT 1 FROM api_keys WHERE id = $1", Params().text(key.id), kDoing);
  if (!id) return id.error();
  if (*id) return core::Error::conflict("a key with id '" + key.id + "' already exists");
  return check_key_conflicts(conn, key);
}

// A unique index said no to a row the checks could not see (another owner's id, a concurrent twin).
core::Error key_write_error(core::Error error, const KeyRecord& key) {
  if (error.code == core::Errc::conflict)
    return core::Error::conflict("a key conflicts with one stored meanwhile for provider '" + key.provider + "'");
  return error;
}

}  // namespace

core::Result<void> PostgresStore::insert_key(const KeyRecord& key, AuditEvent event) {
  return postgres::write_transaction(*pool_, Access::user(key.owner_id), [&](Connection& c) -> core::Result<void> {
    if (auto checked = check_key_insert(c, key); !checked) return checked;
    Params p;
    postgres::add_key(p, key);
    if (auto inserted = c.query(postgres::kInsertKey, p, "insert_key"); !inserted)
      return key_write_error(inserted.error(), key);
    AuditEvent sealed = event;
    return postgres::append_audit_event(c, sealer_, sealed);
  });
}

core::Result<KeyRecord> PostgresStore::get_key(std::string_view owner_id, std::string_view id) {
  return postgres::read_transaction(*pool_, Access::user(owner_id),
                                    [&](Connection& c) { return load_key(c, owner_id, id, false); });
}

core::Result<Page<KeyRecord>> PostgresStore::list_keys(const KeyFilter& filter, const PageRequest& page) {
  auto after = parse_key_cursor(page);
  if (!after) return after.error();
  static const std::string kWhere = "FROM api_keys WHERE owner_id = $2 AND ($3::text IS NULL OR provider = $3) "
                                    "AND ($4::text IS NULL OR $4 = " + std::string(kStatusAtNow) + ") "
                                    "AND ($5::bigint IS NULL OR (expires_at IS NOT NULL AND expires_at < $5)) ";
  static const std::string kFirst =
      postgres::select_sql(postgres::kKeyColumns, kWhere + std::string(kKeyOrder) + " LIMIT $6");
  static const std::string kNext = postgres::select_sql(
      postgres::kKeyColumns,
      kWhere + "AND (provider, priority, created_at, id) > ($7, $8, $9, $10) " + std::string(kKeyOrder) + " LIMIT $6");
  return postgres::read_transaction(*pool_, Access::user(filter.owner_id), [&](Connection& c) -> core::Result<Page<KeyRecord>> {
    Params p;
    p.time(filter.now).text(filter.owner_id).text(filter.provider);
    if (filter.status) p.text(key_status_name(*filter.status));
    else p.null();
    p.time(filter.expires_before).integer(postgres::fetch_limit(page.limit));
    if (*after) p.text((*after)->provider).integer((*after)->priority).integer((*after)->created_at_ms).text((*after)->id);
    auto rows = c.query(*after ? kNext : kFirst, p, "list_keys");
    if (!rows) return rows.error();
    return postgres::read_page<KeyRecord>(*rows, page.limit, postgres::read_key, key_cursor);
  });
}

core::Result<std::vector<KeyRecord>> PostgresStore::keys_of_owner(std::string_view owner_id) {
  static const std::string kSql =
      postgres::select_sql(postgres::kKeyColumns, "FROM api_keys WHERE owner_id = $1 " + std::string(kKeyOrder));
  return postgres::read_transaction(*pool_, Access::user(owner_id), [&](Connection& c) {
    return read_keys(c, kSql, Params().text(owner_id), "keys_of_owner");
  });
}

core::Result<std::vector<KeyRecord>> PostgresStore::keys_expiring_before(TimePoint before,
                                                                        const std::optional<ExpiryPosition>& after,
                                                                        std::size_t limit) {
  static const std::string kSql = postgres::select_sql(
      postgres::kKeyColumns,
      "FROM api_keys WHERE enabled AND expires_at IS NOT NULL AND expires_at < $1 "
      "AND ($3::bigint IS NULL OR (expires_at, id) > ($3, $4::text)) ORDER BY expires_at, id LIMIT $2");
  return postgres::read_transaction(*pool_, Access::admin(), [&](Connection& c) {
    Params p;
    p.time(before).integer(static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
    if (after) p.time(after->expires_at).text(after->id);
    else p.null().null();
    return read_keys(c, kSql, p, "keys_expiring_before");
  });
}

core::Result<std::vector<KeyRecord>> PostgresStore::keys_after(const std::optional<std::string>& after_id,
                                                               std::size_t limit) {
  // Two statements, not `($1 IS NULL OR id > $1)`: the generic plan of a prepared statement cannot
  // use that as an index condition and filters from the first id on, which makes paging through
  // every key (the master-key re-wrap) quadratic.
  static const std::string kFirst = postgres::select_sql(postgres::kKeyColumns, "FROM api_keys ORDER BY id LIMIT $1");
  static const std::string kAfter =
      postgres::select_sql(postgres::kKeyColumns, "FROM api_keys WHERE id > $2 ORDER BY id LIMIT $1");
  return postgres::read_transaction(*pool_, Access::admin(), [&](Connection& c) {
    Params p;
    p.integer(static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
    if (after_id) p.text(*after_id);
    return read_keys(c, after_id ? kAfter : kFirst, p, "keys_after");
  });
}

core::Result<std::vector<KeyCount>> PostgresStore::key_counts(TimePoint now) {
  static const std::string kSql = "SELECT provider, " + std::string(kStatusAtNow) +
                                  " AS status, count(*) FROM api_keys GROUP BY provider, status ORDER BY provider, status";
  return postgres::read_transaction(*pool_, Access::admin(), [&](Connection& c) -> core::Result<std::vector<KeyCount>> {
    auto rows = c.query(kSql, Params().time(now), "key_counts");
    if (!rows) return rows.error();
    std::vector<KeyCount> counts;
    for (int i = 0; i < rows->size(); ++i) {
      KeyCount count;
      count.provider = rows->text_at(i, 0);
      count.status = parse_key_status(rows->text_at(i, 1)).value_or(KeyStatus::active);
      count.count = rows->int_at(i, 2);
      counts.push_back(std::move(count));
    }
    return counts;
  });
}

core::Result<KeyUpdate> PostgresStore::change_key(std::string_view owner_id, std::string_view id,
                                                  std::optional<std::uint32_t> expected_version,
                                                  const KeyChange& change) {
  // Bumps only when something was written: a stale compare-and-set changes nothing.
  return postgres::run_transaction(
      *pool_, Access::user(owner_id), postgres::Mode::write, postgres::Bump::none,
      [&](Connection& c) -> core::Result<KeyUpdate> {
        auto key = load_key(c, owner_id, id, true);
        if (!key) return key.error();
        if (expected_version && key->version != *expected_version) return KeyUpdate{std::move(*key), false};
        auto event = change(*key);
        if (!event) return event.error();
        if (key->id != id || key->owner_id != owner_id)
          return core::Error::internal("update_key: a change may not alter the key's id or owner");
        if (auto checked = check_key_conflicts(c, *key); !checked) return checked.error();
        Params p;
        postgres::add_key(p, *key);
        if (auto written = c.query(postgres::kUpdateKey, p, "update_key"); !written)
          return key_write_error(written.error(), *key);
        if (auto appended = postgres::append_audit_event(c, sealer_, *event); !appended) return appended.error();
        auto stored = load_key(c, owner_id, id, false);  // as stored (times in milliseconds)
        if (!stored) return stored.error();
        if (auto bumped = postgres::bump_generation(c); !bumped) return bumped.error();
        return KeyUpdate{std::move(*stored), true};
      });
}

core::Result<KeyRecord> PostgresStore::update_key(std::string_view owner_id, std::string_view id,
                                                  const KeyChange& change) {
  auto updated = change_key(owner_id, id, std::nullopt, change);
  if (!updated) return updated.error();
  return std::move(updated->key);
}

core::Result<KeyUpdate> PostgresStore::update_key_at_version(std::string_view owner_id, std::string_view id,
                                                             std::uint32_t expected_version, const KeyChange& change) {
  return change_key(owner_id, id, expected_version, change);
}

core::Result<void> PostgresStore::delete_key(std::string_view owner_id, std::string_view id, AuditEvent event) {
  return postgres::write_transaction(*pool_, Access::user(owner_id), [&](Connection& c) -> core::Result<void> {
    auto removed = c.query("DELETE FROM api_keys WHERE id = $1 AND owner_id = $2", Params().text(id).text(owner_id),
                           "delete_key");
    if (!removed) return removed.error();
    if (removed->affected() == 0) return core::Error::not_found("key not found");
    AuditEvent sealed = event;
    return postgres::append_audit_event(c, sealer_, sealed);
  });
}

}  // namespace keyrelay::store
