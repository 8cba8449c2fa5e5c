// PostgresStore: a user's own data — the default-key spend for an export, and deleting the user.
// Both take the admin path: the delete counts the other admins (every user's row) and the export
// is reached only by callers already allowed to read this user (the API and the CLI check).
// Deleted secrets: as for delete_key, PostgreSQL keeps the old row versions until VACUUM reclaims
// them; the user's salt goes with its row, so its KEK cannot be derived from the live data again.

#include "store/postgres/audit_append.h"
#include "store/postgres/connection_pool.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/row_mapping.h"
#include "store/postgres/transaction.h"
#include "store/user_tables.h"

namespace keyrelay::store {

using postgres::Access;
using postgres::Connection;
using postgres::Params;

namespace {

// The user row, locked; with every admin row locked first, so that two deletes of the last two
// admins cannot both see the other one still there (the second waits, then counts again).
core::Result<UserRecord> lock_user(Connection& conn, std::string_view user_id) {
  auto admins = conn.query("SELECT id FROM users WHERE role = 'admin' ORDER BY id FOR UPDATE", Params(), "locking admins");
  if (!admins) return admins.error();
  auto rows = conn.query(postgres::select_sql(postgres::kUserColumns, "FROM users WHERE id = $1 FOR UPDATE"),
                         Params().text(user_id), "finding a user");
  if (!rows) return rows.error();
  if (rows->empty()) return core::Error::not_found("user not found");
  return postgres::read_user(postgres::Row(*rows, 0));
}

core::Result<void> check_not_last_admin(Connection& conn, const UserRecord& user) {
  if (user.role != Role::admin) return core::ok();
  auto others = conn.query("SELECT 1 FROM users WHERE role = 'admin' AND id <> $1 LIMIT 1", Params().text(user.id),
                           "counting admins");
  if (!others) return others.error();
  if (others->empty()) return core::Error::conflict("the last administrator cannot be deleted: make another user an admin first");
  return core::ok();
}

}  // namespace

core::Result<std::vector<DefaultKeySpendRow>> PostgresStore::default_key_spend(std::string_view user_id) {
  return postgres::read_transaction(*pool_, Access::user(user_id), [&](Connection& c) -> core::Result<std::vector<DefaultKeySpendRow>> {
    auto rows = c.query("SELECT day, cost_micro_usd FROM default_key_spend_daily WHERE user_id = $1 ORDER BY day",
                        Params().text(user_id), "default_key_spend");
    if (!rows) return rows.error();
    std::vector<DefaultKeySpendRow> out;
    for (int i = 0; i < rows->size(); ++i) out.push_back(DefaultKeySpendRow{rows->text_at(i, 0), rows->int_at(i, 1)});
    return out;
  });
}

core::Result<UserRemoval> PostgresStore::delete_user(std::string_view user_id, const RemovalEvent& event) {
  return postgres::write_transaction(*pool_, Access::admin(), [&](Connection& c) -> core::Result<UserRemoval> {
    auto user = lock_user(c, user_id);
    if (!user) return user.error();
    if (user->role == Role::system) return core::Error::invalid_request("the operator's system user cannot be deleted");
    if (auto checked = check_not_last_admin(c, *user); !checked) return checked.error();
    UserRemoval removal{std::move(*user), {}};
    for (const auto& table : user_tables()) {
      if (table.fate != UserRowFate::deleted) continue;
      auto removed = c.query("DELETE FROM " + std::string(table.table) + " WHERE " + std::string(table.user_column) + " = $1",
                             Params().text(user_id), "delete_user");
      if (!removed) return removed.error();
      removal.deleted_rows.emplace_back(std::string(table.table), removed->affected());
    }
    auto audit = event(removal);
    if (!audit) return audit.error();
    AuditEvent sealed = *audit;  // a retried transaction seals afresh
    if (auto appended = postgres::append_audit_event(c, sealer_, sealed); !appended) return appended.error();
    return removal;
  });
}

}  // namespace keyrelay::store
