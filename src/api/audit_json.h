#pragma once
// The audit event shape of API.md (the audit list and the user export), chain fields included.

#include <boost/json/object.hpp>

#include "store/records.h"

namespace keyrelay::api {

boost::json::object event_json(const store::AuditEvent& event);

}  // namespace keyrelay::api
