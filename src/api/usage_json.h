#pragma once
// The usage row shape of API.md (GET /api/v1/usage and the user export).

#include <boost/json/object.hpp>

#include "store/records.h"

namespace keyrelay::api {

boost::json::object usage_json(const store::UsageRow& row);

}  // namespace keyrelay::api
