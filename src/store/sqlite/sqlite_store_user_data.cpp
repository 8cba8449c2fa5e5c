// SqliteStore: a user's own data — the default-key spend for an export, and deleting the user.
// The delete runs the statements user_tables() implies in one write transaction; the sealed
// secrets it removes are overwritten in the pages (secure_delete) and the WAL is truncated after
// the commit, as delete_key does.

#include "store/sqlite/audit_append.h"
#include "store/sqlite/connection_pool.h"
#include "store/sqlite/query_helpers.h"
#include "store/sqlite/row_mapping.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/transaction.h"
#include "store/sqlite/write_batcher.h"
#include "store/user_tables.h"

namespace keyrelay::store {

using sqlite::Bump;
using sqlite::Connection;
using sqlite::Statement;

namespace {

// conflict when `user` is an admin and no other admin exists (the write lock is held, so no
// concurrent delete can remove the other one meanwhile).
core::Result<void> check_not_last_admin(Connection& conn, const UserRecord& user) {
  if (user.role != Role::admin) return core::ok();
  auto others = sqlite::row_exists(conn, "SELECT 1 FROM users WHERE role = 'admin' AND id <> ?1 LIMIT 1",
                                   "counting admins", [&](Statement& s) { s.bind_text(1, user.id); });
  if (!others) return others.error();
  if (!*others) return core::Error::conflict("the last administrator cannot be deleted: make another user an admin first");
  return core::ok();
}

core::Result<std::int64_t> delete_rows(Connection& conn, const UserTable& table, std::string_view user_id) {
  auto stmt = conn.prepare("DELETE FROM " + std::string(table.table) + " WHERE " + std::string(table.user_column) + " = ?1");
  if (!stmt) return stmt.error();
  stmt->bind_text(1, user_id);
  if (auto run = stmt->run("delete_user"); !run) return run.error();
  return stmt->changes();
}

}  // namespace

core::Result<std::vector<DefaultKeySpendRow>> SqliteStore::default_key_spend(std::string_view user_id) {
  auto conn = pool_->acquire();
  if (!conn) return conn.error();
  auto stmt = (*conn)->prepare("SELECT day, cost_micro_usd FROM default_key_spend_daily WHERE user_id = ?1 ORDER BY day");
  if (!stmt) return stmt.error();
  stmt->bind_text(1, user_id);
  std::vector<DefaultKeySpendRow> rows;
  for (;;) {
    auto row = stmt->step("default_key_spend");
    if (!row) return row.error();
    if (!*row) return rows;
    rows.push_back(DefaultKeySpendRow{stmt->text_at(0), stmt->int_at(1)});
  }
}

core::Result<UserRemoval> SqliteStore::delete_user(std::string_view user_id, const RemovalEvent& event) {
  return writer_->write(Bump::generation, [&](Connection& c) -> core::Result<UserRemoval> {
    auto user = sqlite::find_one<UserRecord>(
        c, sqlite::select_sql(sqlite::kUserColumns, "FROM users WHERE id = ?1"), "finding a user", "user not found",
        [&](Statement& s) { s.bind_text(1, user_id); }, sqlite::read_user);
    if (!user) return user.error();
    if (user->role == Role::system) return core::Error::invalid_request("the operator's system user cannot be deleted");
    if (auto checked = check_not_last_admin(c, *user); !checked) return checked.error();
    UserRemoval removal{std::move(*user), {}};
    for (const auto& table : user_tables()) {
      if (table.fate != UserRowFate::deleted) continue;
      auto rows = delete_rows(c, table, user_id);
      if (!rows) return rows.error();
      removal.deleted_rows.emplace_back(std::string(table.table), *rows);
    }
    auto audit = event(removal);
    if (!audit) return audit.error();
    if (auto appended = sqlite::append_audit_event(c, sealer_, *audit); !appended) return appended.error();
    c.truncate_wal_after_commit = true;  // the sealed secrets leave the disk, as in delete_key
    return removal;
  });
}

}  // namespace keyrelay::store
