#pragma once
// Small Boost.JSON helpers the three wire readers share.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

namespace keyrelay::mock {

// "a string", "an object", …: how the providers' messages name a JSON type.
inline std::string_view json_type_name(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64: return "an integer";
    case boost::json::kind::double_: return "a number";
    case boost::json::kind::string: return "a string";
    case boost::json::kind::array: return "an array";
    case boost::json::kind::object: return "an object";
  }
  return "a value";
}

// `body` parsed as a JSON object; nullopt when it is not JSON or not an object.
inline std::optional<boost::json::object> parse_object(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

// The string at `key` of `o`; nullopt when absent or not a string.
inline std::optional<std::string> string_at(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

// A JSON number as a double (integers too); nullopt for other kinds.
inline std::optional<double> number_of(const boost::json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.as_int64());
  if (v.is_uint64()) return static_cast<double>(v.as_uint64());
  if (v.is_double()) return v.as_double();
  return std::nullopt;
}

// True for an integer ≥ `min`.
inline bool is_integer_at_least(const boost::json::value& v, std::int64_t min) {
  if (v.is_int64()) return v.as_int64() >= min;
  if (v.is_uint64()) return true;
  return false;
}

}  // namespace keyrelay::mock
