#pragma once
// The models a gateway request names (/v1/chat/completions, /v1/messages, /v1/embeddings): its
// "model" first, then its "models" fallbacks in order (API.md "Model selection").

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "core/result.h"

namespace keyrelay::gateway::wire {

// "model" first, then "models", without duplicates; "models" is removed from `body` (no provider
// knows it). invalid_request for a "model" that is not a string, a "models" that is not an array
// of non-empty strings, or no model at all.
core::Result<std::vector<std::string>> take_models(boost::json::object& body);

}  // namespace keyrelay::gateway::wire
