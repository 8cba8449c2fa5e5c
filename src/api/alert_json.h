#pragma once
// The Alert shape of API.md, for the alert endpoints and the webhook payload alike.

#include <boost/json/object.hpp>

#include "store/records.h"

namespace keyrelay::api {

boost::json::object alert_json(const store::AlertRecord& alert);

}  // namespace keyrelay::api
