#pragma once
// Checks of the JSON that keyrelay answers and logs, as gtest AssertionResults so a failure prints
// the whole response.

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "support/http_message.h"

namespace keyrelay::test {

// `text` parsed as a JSON object; nullopt when it is not valid JSON or not an object.
std::optional<boost::json::object> parse_json_object(std::string_view text);

// Content-Type is application/json (parameters such as charset allowed).
::testing::AssertionResult has_json_content_type(const HttpResponse& response);

// The API.md error shape: status `status`, JSON content type, body
// {"error":{"code":`code`,"message":<non-empty string>,"request_id":<the X-Request-Id header>}}.
::testing::AssertionResult is_api_error(const HttpResponse& response, int status,
                                        std::string_view code);

// 1–128 characters of [A-Za-z0-9._-]: what the server echoes and what it generates.
bool is_well_formed_request_id(std::string_view id);

// The non-empty lines of `text`.
std::vector<std::string_view> lines_of(std::string_view text);

}  // namespace keyrelay::test
