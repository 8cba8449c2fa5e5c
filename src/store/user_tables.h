#pragma once
// The tables that hold rows about a user, by the column that names the user, and what deleting
// the user does with those rows. delete_user() of every engine deletes exactly the rows marked
// `deleted`, in this order; the user export has a section for every table; and a schema test
// fails when a table gains a user column that is not listed here (so nothing about a user is
// forgotten by an export or a deletion).

#include <span>
#include <string_view>

namespace keyrelay::store {

enum class UserRowFate {
  deleted,  // removed with the user
  kept,     // kept: the audit trail is the record of what happened, the deletion included
};

struct UserTable {
  std::string_view table;
  std::string_view user_column;
  UserRowFate fate;
  std::string_view export_section;  // the user export's member that holds these rows
};

// Children before parents; the users row itself last.
std::span<const UserTable> user_tables() noexcept;

}  // namespace keyrelay::store
