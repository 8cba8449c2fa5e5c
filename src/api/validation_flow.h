#pragma once
// Validating a stored key: open it (worker pool), ask the provider (async, on the connection's
// strand), store the verdict with its audit event (worker pool). Used by POST …/{id}/validate and by
// create/rotate with "validate": true, so all three behave the same.

#include <string>
#include <utility>

#include <boost/asio/awaitable.hpp>

#include "api/services.h"
#include "audit/actor.h"
#include "core/result.h"
#include "gateway/key_validator.h"
#include "store/records.h"

namespace keyrelay::api {

// The verdict and the key as stored after it. not_found for another owner's key; unavailable when the
// server has no validator.
boost::asio::awaitable<core::Result<std::pair<gateway::ValidationResult, store::KeyRecord>>> validate_stored_key(
    Services& services, audit::Actor caller, std::string owner_id, std::string key_id);

// Counts a verdict (metrics) and feeds it to the "validation failures per user" alert rule (a
// burst of keys the providers reject looks like someone trying stolen keys).
// Makes a Protection call: run it where a Redis round trip may wait (the worker pool).
void note_validation_outcome(Services& services, const audit::Actor& caller, const gateway::ValidationResult& result,
                             std::string_view provider);

// {"verdict","http_status"} for the audit event's details.
std::string validation_details(const gateway::ValidationResult& result);

}  // namespace keyrelay::api
