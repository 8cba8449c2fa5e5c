#pragma once
// UserStore: user accounts and their external ids (JWT subjects).
// Every call follows the rules in store/store.h (threads, one transaction per change, errors).

#include <string_view>

#include "core/result.h"
#include "store/records.h"

namespace keyrelay::store {

class UserStore {
 public:
  virtual ~UserStore() = default;

  // conflict when the name or external id is taken.
  virtual core::Result<void> create_user(const UserRecord& user, AuditEvent event) = 0;
  virtual core::Result<UserRecord> find_user(std::string_view id) = 0;
  virtual core::Result<UserRecord> find_user_by_name(std::string_view name) = 0;
  virtual core::Result<UserRecord> find_user_by_external_id(std::string_view external_id) = 0;
  // Changes the external id of user `id` from `from` to `to` (a change of its format, so no audit
  // event). not_found when the user is gone or no longer has `from` (another process moved it
  // first); conflict when `to` belongs to another user.
  virtual core::Result<void> replace_external_id(std::string_view id, std::string_view from, std::string_view to) = 0;
  // Ordered by creation.
  virtual core::Result<Page<UserRecord>> list_users(const PageRequest& page) = 0;
};

}  // namespace keyrelay::store
