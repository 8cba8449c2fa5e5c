// PostgresStore: users and access tokens.
// Directory lookups (by id, name, external id, token hash) come before anyone is known, so they
// take the admin path; the calls that name a user run for that user (row-level security).

#include "store/postgres/audit_append.h"
#include "store/postgres/connection_pool.h"
#include "store/postgres/import_rows.h"
#include "store/postgres/paging.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/row_mapping.h"
#include "store/postgres/transaction.h"

namespace keyrelay::store {

using postgres::Access;
using postgres::Connection;
using postgres::Params;

namespace {

constexpr char kUserList = 'u';
constexpr char kTokenList = 't';

// Both lists page on (created_at, id); the cursor carries the last row's pair (as on SQLite).
struct CreationKey {
  std::int64_t created_at_ms = 0;
  std::string id;
};

core::Result<std::optional<CreationKey>> parse_creation_cursor(const PageRequest& page, char list) {
  if (!page.cursor) return std::optional<CreationKey>();
  auto reader = postgres::CursorReader::open(*page.cursor, list);
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
  return postgres::CursorWriter(list).add(postgres::to_unix_ms(last.created_at)).add(last.id).finish();
}

core::Result<UserRecord> find_user_where(Connection& conn, std::string_view column, std::string_view value) {
  Params p;
  p.text(value);
  auto rows = conn.query(postgres::select_sql(postgres::kUserColumns, "FROM users WHERE " + std::string(column) + " = $1"),
                         p, "finding a user");
  if (!rows) return rows.error();
  if (rows->empty()) return core::Error::not_found("user not found");
  return postgres::read_user(postgres::Row(*rows, 0));
}

core::Result<TokenRecord> find_token_where(Connection& conn, std::string_view condition, const Params& p) {
  auto rows = conn.query(postgres::select_sql(postgres::kTokenColumns, "FROM access_tokens WHERE " + std::string(condition)),
                         p, "finding a token");
  if (!rows) return rows.error();
  if (rows->empty()) return core::Error::not_found("token not found");
  return postgres::read_token(postgres::Row(*rows, 0));
}

core::Result<bool> exists(Connection& conn, std::string_view sql, const Params& p, std::string_view doing) {
  auto rows = conn.query(sql, p, doing);
  if (!rows) return rows.error();
  return !rows->empty();
}

// Names the rule a new user breaks (the unique indexes still catch a concurrent twin: conflict).
core::Result<void> check_user_conflicts(Connection& conn, const UserRecord& user) {
  constexpr std::string_view kDoing = "checking user uniqueness";
  auto name = exists(conn, "SELECT 1 FROM users WHERE name = $1", Params().text(user.name), kDoing);
  if (!name) return name.error();
  if (*name) return core::Error::conflict("user name '" + user.name + "' is taken");
  if (user.external_id) {
    auto external = exists(conn, "SELECT 1 FROM users WHERE external_id = $1", Params().text(*user.external_id), kDoing);
    if (!external) return external.error();
    if (*external) return core::Error::conflict("this external identity is already linked to a user");
  }
  auto id = exists(conn, "SELECT 1 FROM users WHERE id = $1", Params().text(user.id), kDoing);
  if (!id) return id.error();
  if (*id) return core::Error::conflict("a user with id '" + user.id + "' already exists");
  return core::ok();
}

core::Result<void> check_token_insert(Connection& conn, const TokenRecord& token) {
  constexpr std::string_view kDoing = "checking a new token";
  auto user = exists(conn, "SELECT 1 FROM users WHERE id = $1", Params().text(token.user_id), kDoing);
  if (!user) return user.error();
  if (!*user) return core::Error::not_found("user not found");
  auto id = exists(conn, "SELECT 1 FROM access_tokens WHERE id = $1", Params().text(token.id), kDoing);
  if (!id) return id.error();
  if (*id) return core::Error::conflict("a token with id '" + token.id + "' already exists");
  auto hash = exists(conn, "SELECT 1 FROM access_tokens WHERE token_hash = $1", Params().bytes(token.hash), kDoing);
  if (!hash) return hash.error();
  if (*hash) return core::Error::conflict("this token is already registered");
  return core::ok();
}

}  // namespace

core::Result<void> postgres::insert_user_row(Connection& conn, const ChainSealer& sealer, const UserRecord& user,
                                             const AuditEvent& event) {
  if (auto checked = check_user_conflicts(conn, user); !checked) return checked;
  Params p;
  postgres::add_user(p, user);
  if (auto inserted = conn.query(postgres::kInsertUser, p, "create_user"); !inserted) return inserted.error();
  AuditEvent sealed = event;  // a retried transaction seals afresh
  return postgres::append_audit_event(conn, sealer, sealed);
}

// ---- users ----

core::Result<void> PostgresStore::create_user(const UserRecord& user, AuditEvent event) {
  // The admin path: the uniqueness of names and external ids spans every user.
  return postgres::write_transaction(*pool_, Access::admin(), [&](Connection& c) {
    return postgres::insert_user_row(c, sealer_, user, event);
  });
}

core::Result<void> PostgresStore::insert_import(ImportLoad load) {
  if (load.users.empty() && load.keys.empty()) return core::ok();
  if (auto checked = postgres::check_key_load(load.keys); !checked) return checked;
  // The admin path, as create_user and insert_keys; the users first, so new owners are found.
  return postgres::write_transaction(*pool_, Access::admin(), [&](Connection& c) -> core::Result<void> {
    for (const auto& [user, event] : load.users) {
      if (auto inserted = postgres::insert_user_row(c, sealer_, user, event); !inserted) return inserted;
    }
    if (load.keys.empty()) return core::ok();
    return postgres::insert_key_load(c, sealer_, load.keys);
  });
}

core::Result<UserRecord> PostgresStore::find_user(std::string_view id) {
  return postgres::read_transaction(*pool_, Access::admin(),
                                    [&](Connection& c) { return find_user_where(c, "id", id); });
}

core::Result<UserRecord> PostgresStore::find_user_by_name(std::string_view name) {
  return postgres::read_transaction(*pool_, Access::admin(),
                                    [&](Connection& c) { return find_user_where(c, "name", name); });
}

core::Result<UserRecord> PostgresStore::find_user_by_external_id(std::string_view external_id) {
  return postgres::read_transaction(*pool_, Access::admin(),
                                    [&](Connection& c) { return find_user_where(c, "external_id", external_id); });
}

core::Result<void> PostgresStore::replace_external_id(std::string_view id, std::string_view from, std::string_view to) {
  return postgres::write_transaction(*pool_, Access::admin(), [&](Connection& c) -> core::Result<void> {
    constexpr std::string_view kDoing = "replacing an external id";
    auto taken = exists(c, "SELECT 1 FROM users WHERE external_id = $1 AND id <> $2", Params().text(to).text(id), kDoing);
    if (!taken) return taken.error();
    if (*taken) return core::Error::conflict("this external identity is already linked to a user");
    auto updated = c.query("UPDATE users SET external_id = $3 WHERE id = $1 AND external_id = $2",
                           Params().text(id).text(from).text(to), kDoing);
    if (!updated) return updated.error();
    if (updated->affected() == 0) return core::Error::not_found("user not found");
    return core::ok();
  });
}

core::Result<Page<UserRecord>> PostgresStore::list_users(const PageRequest& page) {
  auto after = parse_creation_cursor(page, kUserList);
  if (!after) return after.error();
  static const std::string kFirst =
      postgres::select_sql(postgres::kUserColumns, "FROM users ORDER BY created_at, id LIMIT $1");
  static const std::string kNext = postgres::select_sql(
      postgres::kUserColumns, "FROM users WHERE (created_at, id) > ($2, $3) ORDER BY created_at, id LIMIT $1");
  return postgres::read_transaction(*pool_, Access::admin(), [&](Connection& c) -> core::Result<Page<UserRecord>> {
    Params p;
    p.integer(postgres::fetch_limit(page.limit));
    if (*after) p.integer((*after)->created_at_ms).text((*after)->id);
    auto rows = c.query(*after ? kNext : kFirst, p, "list_users");
    if (!rows) return rows.error();
    return postgres::read_page<UserRecord>(*rows, page.limit, postgres::read_user,
                                           [](const UserRecord& u) { return creation_cursor(u, kUserList); });
  });
}

// ---- access tokens ----

core::Result<void> PostgresStore::create_token(const TokenRecord& token, AuditEvent event) {
  return postgres::write_transaction(*pool_, Access::user(token.user_id), [&](Connection& c) -> core::Result<void> {
    if (auto checked = check_token_insert(c, token); !checked) return checked;
    Params p;
    if (auto bound = postgres::add_token(p, token); !bound) return bound;
    if (auto inserted = c.query(postgres::kInsertToken, p, "create_token"); !inserted) {
      // Another user's token with this id or hash is invisible here; its unique index still says no.
      if (inserted.error().code == core::Errc::conflict) return core::Error::conflict("this token is already registered");
      return inserted.error();
    }
    AuditEvent sealed = event;
    return postgres::append_audit_event(c, sealer_, sealed);
  });
}

core::Result<TokenRecord> PostgresStore::find_token(std::string_view id) {
  return postgres::read_transaction(*pool_, Access::admin(),
                                    [&](Connection& c) { return find_token_where(c, "id = $1", Params().text(id)); });
}

core::Result<TokenRecord> PostgresStore::find_token_by_hash(core::ByteView hash) {
  // Authentication: whose token it is is what we are finding out, so the admin path.
  return postgres::read_transaction(*pool_, Access::admin(), [&](Connection& c) {
    return find_token_where(c, "token_hash = $1", Params().bytes(hash));
  });
}

core::Result<Page<TokenRecord>> PostgresStore::list_tokens(std::optional<std::string_view> user_id,
                                                           const PageRequest& page) {
  auto after = parse_creation_cursor(page, kTokenList);
  if (!after) return after.error();
  const Access access = user_id ? Access::user(*user_id) : Access::admin();
  return postgres::read_transaction(*pool_, access, [&](Connection& c) -> core::Result<Page<TokenRecord>> {
    Params p;
    p.integer(postgres::fetch_limit(page.limit));
    std::string where;
    if (user_id) {
      p.text(*user_id);
      where += "user_id = $" + std::to_string(p.size());
    }
    if (*after) {
      p.integer((*after)->created_at_ms).text((*after)->id);
      where += std::string(where.empty() ? "" : " AND ") + "(created_at, id) > ($" + std::to_string(p.size() - 1) +
               ", $" + std::to_string(p.size()) + ")";
    }
    const std::string sql = postgres::select_sql(
        postgres::kTokenColumns,
        "FROM access_tokens " + (where.empty() ? "" : "WHERE " + where + " ") + "ORDER BY created_at, id LIMIT $1");
    auto rows = c.query(sql, p, "list_tokens");
    if (!rows) return rows.error();
    return postgres::read_page<TokenRecord>(*rows, page.limit, postgres::read_token,
                                            [](const TokenRecord& t) { return creation_cursor(t, kTokenList); });
  });
}

core::Result<TokenRecord> PostgresStore::revoke_token(std::string_view id, std::optional<std::string_view> user_id,
                                                      TimePoint at, AuditEvent event) {
  const Access access = user_id ? Access::user(*user_id) : Access::admin();
  return postgres::write_transaction(*pool_, access, [&](Connection& c) -> core::Result<TokenRecord> {
    auto token = user_id ? find_token_where(c, "id = $1 AND user_id = $2 FOR UPDATE", Params().text(id).text(*user_id))
                         : find_token_where(c, "id = $1 FOR UPDATE", Params().text(id));
    if (!token) return token;
    if (!token->revoked_at) {
      auto updated = c.query("UPDATE access_tokens SET revoked_at = $2 WHERE id = $1", Params().text(id).time(at),
                             "revoke_token");
      if (!updated) return updated.error();
      token->revoked_at = postgres::from_unix_ms(postgres::to_unix_ms(at));  // as stored
    }
    AuditEvent sealed = event;
    if (auto appended = postgres::append_audit_event(c, sealer_, sealed); !appended) return appended.error();
    return token;
  });
}

core::Result<void> PostgresStore::touch_tokens(const std::vector<std::pair<std::string, TimePoint>>& uses) {
  if (uses.empty()) return core::ok();
  std::vector<std::string> ids;
  std::vector<std::int64_t> times;
  ids.reserve(uses.size());
  times.reserve(uses.size());
  for (const auto& [id, at] : uses) {
    ids.push_back(id);
    times.push_back(postgres::to_unix_ms(at));
  }
  // One statement for the batch; batches may arrive out of order: keep the latest time.
  // No generation bump (see sqlite_store.h). Tokens of every user: the admin path.
  return postgres::run_transaction(
      *pool_, Access::admin(), postgres::Mode::write, postgres::Bump::none, [&](Connection& c) -> core::Result<void> {
        auto updated = c.query(
            "UPDATE access_tokens AS t SET last_used_at = u.at "
            "FROM (SELECT id, max(at) AS at FROM unnest($1::text[], $2::bigint[]) AS x (id, at) GROUP BY id) AS u "
            "WHERE t.id = u.id AND (t.last_used_at IS NULL OR t.last_used_at < u.at)",
            Params().text(postgres::text_array(ids)).text(postgres::integer_array(times)), "touch_tokens");
        if (!updated) return updated.error();
        return core::ok();
      });
}

}  // namespace keyrelay::store
