#pragma once
// The API.md "Key" shape of a stored key. It never contains the secret, its fingerprint or any
// sealed bytes: only what the settings page and the host app may see.

#include <boost/json/object.hpp>

#include "store/records.h"

namespace keyrelay::api {

enum class KeyOwner { user, default_key };

boost::json::object key_json(const store::KeyRecord& key, KeyOwner owner, store::TimePoint now);

// Renders an optional time as RFC 3339 or null.
boost::json::value time_or_null(const std::optional<store::TimePoint>& t);

}  // namespace keyrelay::api
