#pragma once
// Reading JSON request bodies and query strings with errors a client can act on: a wrong type,
// an unknown field or a malformed value is invalid_request naming the field; a body that is not
// JSON is invalid_request; a body declared as something else is unsupported_media_type.

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/result.h"
#include "http/request.h"
#include "store/records.h"

namespace keyrelay::api {

// Parses the body as a JSON object. `allowed` lists the accepted field names; any other is refused.
core::Result<boost::json::object> json_object_body(const http::Request& request,
                                                   std::initializer_list<std::string_view> allowed);

// Typed field readers: nullopt when the field is absent; an error when present with the wrong type.
// A JSON null counts as absent except where `nullable` readers say otherwise.
core::Result<std::optional<std::string>> string_field(const boost::json::object& o, std::string_view name);
core::Result<std::optional<bool>> bool_field(const boost::json::object& o, std::string_view name);
core::Result<std::optional<std::int64_t>> int_field(const boost::json::object& o, std::string_view name,
                                                     std::int64_t min, std::int64_t max);
// RFC 3339 time; `present_null` reports an explicit null (used to clear a field).
struct TimeField {
  bool present = false;
  std::optional<store::TimePoint> value;
};
core::Result<TimeField> time_field(const boost::json::object& o, std::string_view name);
// A field that must be a JSON object, returned serialized.
core::Result<std::optional<std::string>> object_field(const boost::json::object& o, std::string_view name);

// Query strings: percent-decoded parameter lookup.
class Query {
 public:
  // invalid_request for a malformed query (bad percent-encoding).
  static core::Result<Query> parse(std::string_view raw);
  std::optional<std::string> get(std::string_view name) const;
  // Refuses parameters not in `allowed`.
  core::Result<void> only(std::initializer_list<std::string_view> allowed) const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

// limit: 1..200 (default 50); cursor opaque. invalid_request for a non-number or out-of-range limit.
core::Result<store::PageRequest> page_request(const Query& query);

}  // namespace keyrelay::api
