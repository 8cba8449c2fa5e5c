// SqliteStore: provider keys. Every statement names the owner: another owner's key is not_found.

#include "store/sqlite/audit_append.h"
#include "store/sqlite/connection_pool.h"
#include "store/sqlite/cursor.h"
#include "store/sqlite/import_rows.h"
#include "store/sqlite/paging.h"
#include "store/sqlite/query_helpers.h"
#include "store/sqlite/row_mapping.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/transaction.h"
#include "store/sqlite/write_batcher.h"

namespace keyrelay::store {

using sqlite::Bump;
using sqlite::Connection;
using sqlite::Statement;

namespace {

constexpr char kKeyList = 'k';
constexpr std::string_view kKeyOrder = "ORDER BY provider, priority, created_at, id";

// The list order (provider, priority, created_at, id) of the last row of a page.
struct KeyPosition {
  std::string provider;
  std::int64_t priority = 0;
  std::int64_t created_at_ms = 0;
  std::string id;
};

core::Result<std::optional<KeyPosition>> parse_key_cursor(const PageRequest& page) {
  if (!page.cursor) return std::optional<KeyPosition>();
  auto reader = sqlite::CursorReader::open(*page.cursor, kKeyList);
  if (!reader) return reader.error();
  KeyPosition at;
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
  return sqlite::CursorWriter(kKeyList)
      .add(last.provider)
      .add(std::int64_t{last.priority})
      .add(sqlite::to_unix_ms(last.created_at))
      .add(last.id)
      .finish();
}

core::Result<KeyRecord> load_key(Connection& conn, std::string_view owner_id, std::string_view id) {
  static const std::string kSql = sqlite::select_sql(sqlite::kKeyColumns, "FROM api_keys WHERE id = ?1 AND owner_id = ?2");
  return sqlite::find_one<KeyRecord>(
      conn, kSql, "loading a key", "key not found",
      [&](Statement& s) {
        s.bind_text(1, id);
        s.bind_text(2, owner_id);
      },
      sqlite::read_key);
}

// Names the rule `key` breaks against the owner's other keys (rows other than key.id).
core::Result<void> check_key_conflicts(Connection& conn, const KeyRecord& key) {
  constexpr std::string_view kDoing = "checking key uniqueness";
  auto name = sqlite::row_exists(
      conn, "SELECT 1 FROM api_keys WHERE owner_id = ?1 AND provider = ?2 AND name = ?3 AND id <> ?4", kDoing,
      [&](Statement& s) {
        s.bind_text(1, key.owner_id);
        s.bind_text(2, key.provider);
        s.bind_text(3, key.name);
        s.bind_text(4, key.id);
      });
  if (!name) return name.error();
  if (*name)
    return core::Error::conflict("a key named '" + key.name + "' already exists for provider '" + key.provider + "'");
  // The same secret may be fingerprinted under another master version in a row not re-wrapped yet.
  std::vector<const core::Bytes*> fingerprints{&key.fingerprint};
  for (const auto& other : key.equivalent_fingerprints) fingerprints.push_back(&other);
  for (const core::Bytes* fingerprint : fingerprints) {
    auto secret = sqlite::row_exists(
        conn, "SELECT 1 FROM api_keys WHERE owner_id = ?1 AND provider = ?2 AND fingerprint = ?3 AND id <> ?4",
        kDoing, [&](Statement& s) {
          s.bind_text(1, key.owner_id);
          s.bind_text(2, key.provider);
          s.bind_blob(3, *fingerprint);
          s.bind_text(4, key.id);
        });
    if (!secret) return secret.error();
    if (*secret) return core::Error::conflict("this secret is already stored for provider '" + key.provider + "'");
  }
  return core::ok();
}

// Scrubbing a replaced or deleted sealed secret: secure_delete zeroes the old row in the pages
// the commit writes to the WAL; the write sets truncate_wal_after_commit, and once the group has
// committed the WriteBatcher checkpoints and truncates the WAL, removing the older frames that
// still hold the secret (best effort, see write_batcher.cpp).

core::Result<void> check_key_insert(Connection& conn, const KeyRecord& key) {
  constexpr std::string_view kDoing = "checking a new key";
  auto owner = sqlite::row_exists(conn, "SELECT 1 FROM users WHERE id = ?1", kDoing,
                                  [&](Statement& s) { s.bind_text(1, key.owner_id); });
  if (!owner) return owner.error();
  if (!*owner) return core::Error::not_found("owner not found");
  auto id = sqlite::row_exists(conn, "SELECT 1 FROM api_keys WHERE id = ?1", kDoing,
                               [&](Statement& s) { s.bind_text(1, key.id); });
  if (!id) return id.error();
  if (*id) return core::Error::conflict("a key with id '" + key.id + "' already exists");
  return check_key_conflicts(conn, key);
}

}  // namespace

core::Result<void> sqlite::insert_key_row(Connection& conn, const ChainSealer& sealer, const KeyRecord& key,
                                          AuditEvent& event) {
  if (auto checked = check_key_insert(conn, key); !checked) return checked;
  auto insert = conn.prepare(sqlite::kInsertKey);
  if (!insert) return insert.error();
  sqlite::bind_key(*insert, key);
  if (auto inserted = insert->run("insert_key"); !inserted) return inserted;
  return sqlite::append_audit_event(conn, sealer, event);
}

core::Result<void> SqliteStore::insert_key(const KeyRecord& key, AuditEvent event) {
  return writer_->write(Bump::generation,
                        [&](sqlite::Connection& c) { return sqlite::insert_key_row(c, sealer_, key, event); });
}

core::Result<void> SqliteStore::insert_keys(std::vector<std::pair<KeyRecord, AuditEvent>> keys) {
  if (keys.empty()) return core::ok();
  // One transaction for the whole load: one commit (one fsync) instead of one per key.
  return writer_->write(Bump::generation, [&](sqlite::Connection& c) -> core::Result<void> {
    for (auto& [key, event] : keys) {
      if (auto inserted = sqlite::insert_key_row(c, sealer_, key, event); !inserted) return inserted;
    }
    return core::ok();
  });
}

core::Result<KeyRecord> SqliteStore::get_key(std::string_view owner_id, std::string_view id) {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  return load_key(**conn, owner_id, id);
}

core::Result<Page<KeyRecord>> SqliteStore::list_keys(const KeyFilter& filter, const PageRequest& page) {
  auto after = parse_key_cursor(page);
  if (!after) return after.error();
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  // The CASE mirrors key_status(): disabled > expired > invalid > active.
  static const std::string kWhere =
      "FROM api_keys WHERE owner_id = ?1 AND (?2 IS NULL OR provider = ?2) "
      "AND (?3 IS NULL OR ?3 = CASE WHEN enabled = 0 THEN 'disabled' "
      "WHEN expires_at IS NOT NULL AND expires_at <= ?4 THEN 'expired' "
      "WHEN validation_state = 'invalid' THEN 'invalid' ELSE 'active' END) "
      "AND (?5 IS NULL OR (expires_at IS NOT NULL AND expires_at < ?5)) ";
  static const std::string kFirst =
      sqlite::select_sql(sqlite::kKeyColumns, kWhere + std::string(kKeyOrder) + " LIMIT ?10");
  static const std::string kNext = sqlite::select_sql(
      sqlite::kKeyColumns,
      kWhere + "AND (provider, priority, created_at, id) > (?6, ?7, ?8, ?9) " + std::string(kKeyOrder) + " LIMIT ?10");
  auto stmt = (*conn)->prepare(*after ? kNext : kFirst);
  if (!stmt) return stmt.error();
  stmt->bind_text(1, filter.owner_id);
  stmt->bind_text(2, filter.provider);
  if (filter.status) {
    stmt->bind_text(3, key_status_name(*filter.status));
  } else {
    stmt->bind_null(3);
  }
  stmt->bind_time(4, filter.now);
  stmt->bind_time(5, filter.expires_before);
  if (*after) {
    stmt->bind_text(6, (*after)->provider);
    stmt->bind_int(7, (*after)->priority);
    stmt->bind_int(8, (*after)->created_at_ms);
    stmt->bind_text(9, (*after)->id);
  }
  stmt->bind_int(10, sqlite::fetch_limit(page.limit));
  return sqlite::read_page<KeyRecord>(*stmt, page.limit, "list_keys", sqlite::read_key, key_cursor);
}

core::Result<std::vector<KeyRecord>> SqliteStore::keys_of_owner(std::string_view owner_id) {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  static const std::string kSql =
      sqlite::select_sql(sqlite::kKeyColumns, "FROM api_keys WHERE owner_id = ?1 " + std::string(kKeyOrder));
  auto stmt = (*conn)->prepare(kSql);
  if (!stmt) return stmt.error();
  stmt->bind_text(1, owner_id);
  std::vector<KeyRecord> keys;
  for (;;) {
    auto row = stmt->step("keys_of_owner");
    if (!row) return row.error();
    if (!*row) return keys;
    auto key = sqlite::read_key(*stmt);
    if (!key) return key.error();
    keys.push_back(std::move(*key));
  }
}

core::Result<std::vector<KeyRecord>> SqliteStore::keys_expiring_before(TimePoint before,
                                                                      const std::optional<ExpiryPosition>& after,
                                                                      std::size_t limit) {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  static const std::string kSql = sqlite::select_sql(
      sqlite::kKeyColumns,
      "FROM api_keys WHERE enabled = 1 AND expires_at IS NOT NULL AND expires_at < ?1 "
      "AND (?3 IS NULL OR (expires_at, id) > (?3, ?4)) ORDER BY expires_at, id LIMIT ?2");
  auto stmt = (*conn)->prepare(kSql);
  if (!stmt) return stmt.error();
  stmt->bind_time(1, before);
  stmt->bind_int(2, static_cast<std::int64_t>(limit));
  if (after) {
    stmt->bind_time(3, after->expires_at);
    stmt->bind_text(4, after->id);
  } else {
    stmt->bind_null(3);
    stmt->bind_null(4);
  }
  std::vector<KeyRecord> keys;
  for (;;) {
    auto row = stmt->step("keys_expiring_before");
    if (!row) return row.error();
    if (!*row) return keys;
    auto key = sqlite::read_key(*stmt);
    if (!key) return key.error();
    keys.push_back(std::move(*key));
  }
}

core::Result<std::vector<KeyRecord>> SqliteStore::keys_after(const std::optional<std::string>& after_id,
                                                             std::size_t limit) {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  // Two statements, not `(?1 IS NULL OR id > ?1)`: SQLite plans that as a scan from the first id,
  // which makes paging through every key quadratic (the master-key re-wrap pages through them all).
  static const std::string kFirst = sqlite::select_sql(sqlite::kKeyColumns, "FROM api_keys ORDER BY id LIMIT ?2");
  static const std::string kAfter =
      sqlite::select_sql(sqlite::kKeyColumns, "FROM api_keys WHERE id > ?1 ORDER BY id LIMIT ?2");
  auto stmt = (*conn)->prepare(after_id ? kAfter : kFirst);
  if (!stmt) return stmt.error();
  if (after_id) stmt->bind_text(1, *after_id);
  stmt->bind_int(2, static_cast<std::int64_t>(limit));
  std::vector<KeyRecord> keys;
  for (;;) {
    auto row = stmt->step("keys_after");
    if (!row) return row.error();
    if (!*row) return keys;
    auto key = sqlite::read_key(*stmt);
    if (!key) return key.error();
    keys.push_back(std::move(*key));
  }
}

core::Result<std::vector<KeyCount>> SqliteStore::key_counts(TimePoint now) {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  // The CASE mirrors key_status(): disabled > expired > invalid > active.
  auto stmt = (*conn)->prepare(
      "SELECT provider, CASE WHEN enabled = 0 THEN 'disabled' "
      "WHEN expires_at IS NOT NULL AND expires_at <= ?1 THEN 'expired' "
      "WHEN validation_state = 'invalid' THEN 'invalid' ELSE 'active' END AS status, COUNT(*) "
      "FROM api_keys GROUP BY provider, status ORDER BY provider, status");
  if (!stmt) return stmt.error();
  stmt->bind_time(1, now);
  std::vector<KeyCount> counts;
  for (;;) {
    auto row = stmt->step("key_counts");
    if (!row) return row.error();
    if (!*row) return counts;
    KeyCount c;
    c.provider = stmt->text_at(0);
    c.status = parse_key_status(stmt->text_at(1)).value_or(KeyStatus::active);
    c.count = stmt->int_at(2);
    counts.push_back(std::move(c));
  }
}

core::Result<KeyUpdate> SqliteStore::change_key(std::string_view owner_id, std::string_view id,
                                                std::optional<std::uint32_t> expected_version, const KeyChange& change) {
  // Bump::none: a key found on another version is answered unchanged, and only a change bumps.
  return writer_->write(Bump::none, [&](Connection& c) -> core::Result<KeyUpdate> {
    // Read under the write lock: what is compared and changed here stays true until the commit.
    auto key = load_key(c, owner_id, id);
    if (!key) return key.error();
    if (expected_version && key->version != *expected_version) return KeyUpdate{std::move(*key), false};
    const core::Bytes old_secret = key->sealed_secret;
    auto event = change(*key);
    if (!event) return event.error();
    if (key->id != id || key->owner_id != owner_id)
      return core::Error::internal("update_key: a change may not alter the key's id or owner");
    if (auto checked = check_key_conflicts(c, *key); !checked) return checked.error();
    auto update = c.prepare(sqlite::kUpdateKey);
    if (!update) return update.error();
    sqlite::bind_key(*update, *key);
    if (auto updated = update->run("update_key"); !updated) return updated.error();
    if (auto appended = sqlite::append_audit_event(c, sealer_, *event); !appended) return appended.error();
    auto stored = load_key(c, owner_id, id);  // as stored (times in milliseconds)
    if (!stored) return stored.error();
    if (auto bumped = sqlite::bump_generation(c); !bumped) return bumped.error();
    // A rotation replaced the sealed secret: remove the old one from the disk, as delete_key does.
    if (stored->sealed_secret != old_secret) c.truncate_wal_after_commit = true;
    return KeyUpdate{std::move(*stored), true};
  });
}

core::Result<KeyRecord> SqliteStore::update_key(std::string_view owner_id, std::string_view id,
                                                const KeyChange& change) {
  auto updated = change_key(owner_id, id, std::nullopt, change);
  if (!updated) return updated.error();
  return std::move(updated->key);
}

core::Result<KeyUpdate> SqliteStore::update_key_at_version(std::string_view owner_id, std::string_view id,
                                                           std::uint32_t expected_version, const KeyChange& change) {
  return change_key(owner_id, id, expected_version, change);
}

core::Result<void> SqliteStore::delete_key(std::string_view owner_id, std::string_view id, AuditEvent event) {
  return writer_->write(Bump::generation, [&](sqlite::Connection& c) -> core::Result<void> {
    auto remove = c.prepare("DELETE FROM api_keys WHERE id = ?1 AND owner_id = ?2");
    if (!remove) return remove.error();
    remove->bind_text(1, id);
    remove->bind_text(2, owner_id);
    if (auto removed = remove->run("delete_key"); !removed) return removed;
    if (remove->changes() == 0) return core::Error::not_found("key not found");
    c.truncate_wal_after_commit = true;  // the sealed secret leaves the disk: see scrub note above
    return sqlite::append_audit_event(c, sealer_, event);
  });
}

}  // namespace keyrelay::store
