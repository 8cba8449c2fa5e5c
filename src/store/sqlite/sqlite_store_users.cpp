// SqliteStore: users and access tokens.

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

constexpr char kUserList = 'u';
constexpr char kTokenList = 't';

// Both lists page on (created_at, id); the cursor carries the last row's pair.
struct CreationKey {
  std::int64_t created_at_ms = 0;
  std::string id;
};

core::Result<std::optional<CreationKey>> parse_creation_cursor(const PageRequest& page, char list) {
  if (!page.cursor) return std::optional<CreationKey>();
  auto reader = sqlite::CursorReader::open(*page.cursor, list);
  if (!reader) return reader.error();
  auto created = reader->next_int();
  if (!created) return created.error();
  auto id = reader->next_text();
  if (!id) return id.error();
  if (auto done = reader->finish(); !done) return done.error();
  return std::optional<CreationKey>(CreationKey{*created, std::move(*id)});
}

template <class Record>
std::string creation_cursor(const Record& last, char list) {
  return sqlite::CursorWriter(list).add(sqlite::to_unix_ms(last.created_at)).add(last.id).finish();
}

core::Result<UserRecord> find_user_where(Connection& conn, std::string_view condition, std::string_view value) {
  return sqlite::find_one<UserRecord>(
      conn, sqlite::select_sql(sqlite::kUserColumns, "FROM users WHERE " + std::string(condition) + " = ?1"),
      "finding a user", "user not found", [&](Statement& s) { s.bind_text(1, value); }, sqlite::read_user);
}

core::Result<TokenRecord> find_token_where(Connection& conn, std::string_view condition,
                                           const std::function<void(Statement&)>& bind) {
  return sqlite::find_one<TokenRecord>(
      conn, sqlite::select_sql(sqlite::kTokenColumns, "FROM access_tokens WHERE " + std::string(condition)),
      "finding a token", "token not found", bind, sqlite::read_token);
}

// Names the rule a new user breaks, checked under the write lock before inserting.
core::Result<void> check_user_conflicts(Connection& conn, const UserRecord& user) {
  constexpr std::string_view kDoing = "checking user uniqueness";
  auto name = sqlite::row_exists(conn, "SELECT 1 FROM users WHERE name = ?1", kDoing,
                                 [&](Statement& s) { s.bind_text(1, user.name); });
  if (!name) return name.error();
  if (*name) return core::Error::conflict("user name '" + user.name + "' is taken");
  if (user.external_id) {
    auto external = sqlite::row_exists(conn, "SELECT 1 FROM users WHERE external_id = ?1", kDoing,
                                       [&](Statement& s) { s.bind_text(1, *user.external_id); });
    if (!external) return external.error();
    if (*external) return core::Error::conflict("this external identity is already linked to a user");
  }
  auto id = sqlite::row_exists(conn, "SELECT 1 FROM users WHERE id = ?1", kDoing,
                               [&](Statement& s) { s.bind_text(1, user.id); });
  if (!id) return id.error();
  if (*id) return core::Error::conflict("a user with id '" + user.id + "' already exists");
  return core::ok();
}

core::Result<void> check_token_insert(Connection& conn, const TokenRecord& token) {
  constexpr std::string_view kDoing = "checking a new token";
  auto user = sqlite::row_exists(conn, "SELECT 1 FROM users WHERE id = ?1", kDoing,
                                 [&](Statement& s) { s.bind_text(1, token.user_id); });
  if (!user) return user.error();
  if (!*user) return core::Error::not_found("user not found");
  auto id = sqlite::row_exists(conn, "SELECT 1 FROM access_tokens WHERE id = ?1", kDoing,
                               [&](Statement& s) { s.bind_text(1, token.id); });
  if (!id) return id.error();
  if (*id) return core::Error::conflict("a token with id '" + token.id + "' already exists");
  auto hash = sqlite::row_exists(conn, "SELECT 1 FROM access_tokens WHERE token_hash = ?1", kDoing,
                                 [&](Statement& s) { s.bind_blob(1, token.hash); });
  if (!hash) return hash.error();
  if (*hash) return core::Error::conflict("this token is already registered");
  return core::ok();
}

}  // namespace

core::Result<void> sqlite::insert_user_row(Connection& conn, const ChainSealer& sealer, const UserRecord& user,
                                           AuditEvent& event) {
  if (auto checked = check_user_conflicts(conn, user); !checked) return checked;
  auto insert = conn.prepare(sqlite::kInsertUser);
  if (!insert) return insert.error();
  sqlite::bind_user(*insert, user);
  if (auto inserted = insert->run("create_user"); !inserted) return inserted;
  return sqlite::append_audit_event(conn, sealer, event);
}

// ---- users ----

core::Result<void> SqliteStore::create_user(const UserRecord& user, AuditEvent event) {
  return writer_->write(Bump::generation,
                        [&](sqlite::Connection& c) { return sqlite::insert_user_row(c, sealer_, user, event); });
}

core::Result<void> SqliteStore::insert_import(ImportLoad load) {
  if (load.users.empty() && load.keys.empty()) return core::ok();
  // One transaction: the users first, so the keys of new users find their owner.
  return writer_->write(Bump::generation, [&](sqlite::Connection& c) -> core::Result<void> {
    for (auto& [user, event] : load.users) {
      if (auto inserted = sqlite::insert_user_row(c, sealer_, user, event); !inserted) return inserted;
    }
    for (auto& [key, event] : load.keys) {
      if (auto inserted = sqlite::insert_key_row(c, sealer_, key, event); !inserted) return inserted;
    }
    return core::ok();
  });
}

core::Result<UserRecord> SqliteStore::find_user(std::string_view id) {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  return find_user_where(**conn, "id", id);
}

core::Result<UserRecord> SqliteStore::find_user_by_name(std::string_view name) {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  return find_user_where(**conn, "name", name);
}

core::Result<UserRecord> SqliteStore::find_user_by_external_id(std::string_view external_id) {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  return find_user_where(**conn, "external_id", external_id);
}

core::Result<void> SqliteStore::replace_external_id(std::string_view id, std::string_view from, std::string_view to) {
  return writer_->write(Bump::generation, [&](sqlite::Connection& c) -> core::Result<void> {
    constexpr std::string_view kDoing = "replacing an external id";
    auto taken = sqlite::row_exists(c, "SELECT 1 FROM users WHERE external_id = ?1 AND id <> ?2", kDoing, [&](Statement& s) {
      s.bind_text(1, to);
      s.bind_text(2, id);
    });
    if (!taken) return taken.error();
    if (*taken) return core::Error::conflict("this external identity is already linked to a user");
    auto update = c.prepare("UPDATE users SET external_id = ?3 WHERE id = ?1 AND external_id = ?2");
    if (!update) return update.error();
    update->bind_text(1, id);
    update->bind_text(2, from);
    update->bind_text(3, to);
    if (auto ran = update->run(kDoing); !ran) return ran;
    if (update->changes() == 0) return core::Error::not_found("user not found");
    return core::ok();
  });
}

core::Result<Page<UserRecord>> SqliteStore::list_users(const PageRequest& page) {
  auto after = parse_creation_cursor(page, kUserList);
  if (!after) return after.error();
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  static const std::string kFirst =
      sqlite::select_sql(sqlite::kUserColumns, "FROM users ORDER BY created_at, id LIMIT ?3");
  static const std::string kNext = sqlite::select_sql(
      sqlite::kUserColumns, "FROM users WHERE (created_at, id) > (?1, ?2) ORDER BY created_at, id LIMIT ?3");
  auto stmt = (*conn)->prepare(*after ? kNext : kFirst);
  if (!stmt) return stmt.error();
  if (*after) {
    stmt->bind_int(1, (*after)->created_at_ms);
    stmt->bind_text(2, (*after)->id);
  }
  stmt->bind_int(3, sqlite::fetch_limit(page.limit));
  return sqlite::read_page<UserRecord>(*stmt, page.limit, "list_users", sqlite::read_user,
                                       [](const UserRecord& u) { return creation_cursor(u, kUserList); });
}

// ---- access tokens ----

core::Result<void> SqliteStore::create_token(const TokenRecord& token, AuditEvent event) {
  return writer_->write(Bump::generation, [&](sqlite::Connection& c) -> core::Result<void> {
    if (auto checked = check_token_insert(c, token); !checked) return checked;
    auto insert = c.prepare(sqlite::kInsertToken);
    if (!insert) return insert.error();
    if (auto bound = sqlite::bind_token(*insert, token); !bound) return bound;
    if (auto inserted = insert->run("create_token"); !inserted) return inserted;
    return sqlite::append_audit_event(c, sealer_, event);
  });
}

core::Result<TokenRecord> SqliteStore::find_token(std::string_view id) {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  return find_token_where(**conn, "id = ?1", [&](Statement& s) { s.bind_text(1, id); });
}

core::Result<TokenRecord> SqliteStore::find_token_by_hash(core::ByteView hash) {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  return find_token_where(**conn, "token_hash = ?1", [&](Statement& s) { s.bind_blob(1, hash); });
}

core::Result<Page<TokenRecord>> SqliteStore::list_tokens(std::optional<std::string_view> user_id,
                                                         const PageRequest& page) {
  auto after = parse_creation_cursor(page, kTokenList);
  if (!after) return after.error();
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  std::string where;
  if (user_id) where += "user_id = ?1";
  if (*after) where += std::string(where.empty() ? "" : " AND ") + "(created_at, id) > (?2, ?3)";
  const std::string sql = sqlite::select_sql(
      sqlite::kTokenColumns,
      "FROM access_tokens " + (where.empty() ? "" : "WHERE " + where + " ") + "ORDER BY created_at, id LIMIT ?4");
  auto stmt = (*conn)->prepare(sql);
  if (!stmt) return stmt.error();
  if (user_id) stmt->bind_text(1, *user_id);
  if (*after) {
    stmt->bind_int(2, (*after)->created_at_ms);
    stmt->bind_text(3, (*after)->id);
  }
  stmt->bind_int(4, sqlite::fetch_limit(page.limit));
  return sqlite::read_page<TokenRecord>(*stmt, page.limit, "list_tokens", sqlite::read_token,
                                        [](const TokenRecord& t) { return creation_cursor(t, kTokenList); });
}

core::Result<TokenRecord> SqliteStore::revoke_token(std::string_view id, std::optional<std::string_view> user_id,
                                                    TimePoint at, AuditEvent event) {
  return writer_->write(Bump::generation, [&](sqlite::Connection& c) -> core::Result<TokenRecord> {
    auto token = user_id ? find_token_where(c, "id = ?1 AND user_id = ?2",
                                            [&](Statement& s) {
                                              s.bind_text(1, id);
                                              s.bind_text(2, *user_id);
                                            })
                         : find_token_where(c, "id = ?1", [&](Statement& s) { s.bind_text(1, id); });
    if (!token) return token;
    if (!token->revoked_at) {
      auto update = c.prepare("UPDATE access_tokens SET revoked_at = ?2 WHERE id = ?1");
      if (!update) return update.error();
      update->bind_text(1, id);
      update->bind_time(2, at);
      if (auto updated = update->run("revoke_token"); !updated) return updated.error();
      token->revoked_at = sqlite::from_unix_ms(sqlite::to_unix_ms(at));  // as stored
    }
    if (auto appended = sqlite::append_audit_event(c, sealer_, event); !appended) return appended.error();
    return token;
  });
}

core::Result<void> SqliteStore::touch_tokens(const std::vector<std::pair<std::string, TimePoint>>& uses) {
  if (uses.empty()) return core::ok();
  // Batches may arrive out of order: keep the latest time. No generation bump (see the class comment).
  return writer_->write(Bump::none, [&](sqlite::Connection& c) -> core::Result<void> {
    for (const auto& [id, at] : uses) {
      auto update = c.prepare(
          "UPDATE access_tokens SET last_used_at = ?2 "
          "WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at < ?2)");
      if (!update) return update.error();
      update->bind_text(1, id);
      update->bind_time(2, at);
      if (auto updated = update->run("touch_tokens"); !updated) return updated;
    }
    return core::ok();
  });
}

}  // namespace keyrelay::store
