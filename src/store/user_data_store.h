#pragma once
// UserDataStore: what a user's own-data requests need beyond the other areas — the user's spend on
// the operator's default keys day by day (for an export), and deleting a user with everything the
// store holds about them (user_tables.h says which rows go and which stay).
// Every call follows the rules in store/store.h (threads, one transaction per change, errors).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace keyrelay::store {

// What one user spent on the operator's default keys on one UTC day.
struct DefaultKeySpendRow {
  std::string day;  // YYYY-MM-DD, UTC
  std::int64_t cost_micro_usd = 0;
};

// What delete_user() removed: the user as it was, and how many rows each table lost (every table
// user_tables() marks deleted, in its order, the users row last).
struct UserRemoval {
  UserRecord user;
  std::vector<std::pair<std::string, std::int64_t>> deleted_rows;  // (table, rows)
  std::int64_t rows_of(std::string_view table) const noexcept;
};

class UserDataStore {
 public:
  virtual ~UserDataStore() = default;

  // The user's spend on the default keys, oldest day first (any user: callers check who may ask).
  virtual core::Result<std::vector<DefaultKeySpendRow>> default_key_spend(std::string_view user_id) = 0;

  // Builds the audit event (user.deleted) from what the delete removed; its error aborts the delete.
  using RemovalEvent = std::function<core::Result<AuditEvent>(const UserRemoval& removal)>;
  // Deletes user `user_id` and every row user_tables() marks deleted — tokens, keys with their
  // sealed secrets and wrapped data keys (overwritten on disk where the engine can), usage, alerts,
  // caps — and appends event(removal), all in one transaction; audit events stay. Bumps the
  // generation (other processes drop their cached tokens and keys). not_found when there is no
  // such user; invalid_request for the operator's system user; conflict when the user is the last
  // admin. On any error nothing is deleted.
  virtual core::Result<UserRemoval> delete_user(std::string_view user_id, const RemovalEvent& event) = 0;
};

}  // namespace keyrelay::store
