#include "accounts/user_data_service.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "audit/event_builder.h"

namespace keyrelay::accounts {

UserDataService::UserDataService(store::UserDataStore& user_data, store::AuditAppendStore& audit,
                                 const core::Clock& clock, std::string audit_chain)
    : user_data_(user_data), audit_(audit), clock_(clock), audit_chain_(std::move(audit_chain)) {}

core::Result<void> UserDataService::record_export(const audit::Actor& caller, const store::UserRecord& user) {
  auto e = audit::new_event(clock_, audit_chain_, "user.exported", store::Outcome::success, caller);
  e.details_json = boost::json::serialize(boost::json::object{{"user_id", user.id}, {"name", user.name}});
  return audit_.append_audit({std::move(e)});
}

core::Result<store::UserRemoval> UserDataService::delete_user(const audit::Actor& caller, std::string_view user_id) {
  return user_data_.delete_user(user_id, [&](const store::UserRemoval& removal) -> core::Result<store::AuditEvent> {
    auto e = audit::new_event(clock_, audit_chain_, "user.deleted", store::Outcome::success, caller);
    boost::json::object deleted;
    for (const auto& [table, rows] : removal.deleted_rows) deleted[table] = rows;
    e.details_json = boost::json::serialize(boost::json::object{{"user_id", removal.user.id},
                                                                {"name", removal.user.name},
                                                                {"role", store::role_name(removal.user.role)},
                                                                {"deleted_rows", std::move(deleted)}});
    return e;
  });
}

}  // namespace keyrelay::accounts
