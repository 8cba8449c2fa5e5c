#include "store/user_tables.h"

#include <array>

#include "store/user_data_store.h"

namespace keyrelay::store {
namespace {

constexpr std::array kUserTables{
    UserTable{"access_tokens", "user_id", UserRowFate::deleted, "tokens"},
    UserTable{"api_keys", "owner_id", UserRowFate::deleted, "keys"},
    UserTable{"usage_daily", "owner_id", UserRowFate::deleted, "usage"},
    UserTable{"default_key_spend_daily", "user_id", UserRowFate::deleted, "default_key_usage"},
    UserTable{"alerts", "user_id", UserRowFate::deleted, "alerts"},
    UserTable{"spend_caps", "owner_id", UserRowFate::deleted, "caps"},
    UserTable{"audit_log", "actor_user_id", UserRowFate::kept, "audit"},
    UserTable{"audit_log", "on_behalf_of", UserRowFate::kept, "audit"},
    UserTable{"audit_log", "key_owner_id", UserRowFate::kept, "audit"},
    UserTable{"users", "id", UserRowFate::deleted, "user"},
};

}  // namespace

std::span<const UserTable> user_tables() noexcept { return kUserTables; }

std::int64_t UserRemoval::rows_of(std::string_view table) const noexcept {
  for (const auto& [name, rows] : deleted_rows)
    if (name == table) return rows;
  return 0;
}

}  // namespace keyrelay::store
