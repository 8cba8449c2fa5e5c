#pragma once
// Small readers over Boost.JSON for the wire translators: provider answers and client requests are
// read defensively (a missing field, a null and a field of the wrong type all read as "absent"),
// and OpenAI SSE output events are framed in one place.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace keyrelay::gateway::wire {

namespace json = boost::json;

// The JSON document in `text`; nullopt when it is not JSON.
std::optional<json::value> parse_json(std::string_view text);

// obj[key], or nullptr when it is absent or null (OpenAI treats an explicit null as "not given").
const json::value* field(const json::object& obj, std::string_view key) noexcept;
const json::object* object_field(const json::object& obj, std::string_view key) noexcept;
const json::array* array_field(const json::object& obj, std::string_view key) noexcept;
// obj[key] when it is a string, else "".
std::string_view string_field(const json::object& obj, std::string_view key) noexcept;

// A JSON number that holds an integer (4096 and 4096.0 both do); nullopt otherwise.
std::optional<std::int64_t> integer_of(const json::value& v) noexcept;
// `v` with a whole double (4096.0) turned into an integer, so that it serializes as "4096" and not
// "4.096E3" for the providers' integer fields; anything else unchanged.
json::value integral(const json::value& v);
// A JSON number as double; nullopt for anything else.
std::optional<double> number_of(const json::value& v) noexcept;
// obj[key] as a token count: a non-negative integer, else 0.
std::uint64_t count_field(const json::object& obj, std::string_view key) noexcept;

// Boost.JSON reads a number beyond a double's range (1e400) as infinity and writes it back as the
// bare word Infinity, which is not JSON: a request whose body is re-serialized refuses such a
// number. The path of the first one in `v` ("messages[0].content" style), nullopt when none.
std::optional<std::string> non_finite_number_path(const json::value& v);

// The message of an {"error":{"message":…}} (or {"error":"…"}) document; "" when there is none.
std::string_view error_message_of(const json::object& doc) noexcept;

// "data: <json>\n\n": one output event of an OpenAI-style stream (a '\n' in the text starts another
// "data: " line, so the event still carries exactly that text).
std::string data_event(std::string_view json_text);
std::string data_event(const json::value& v);
inline constexpr std::string_view kDoneEvent = "data: [DONE]\n\n";

}  // namespace keyrelay::gateway::wire
