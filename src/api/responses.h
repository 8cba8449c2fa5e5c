#pragma once
// Small helpers for JSON responses and the collection shape {"data":[…],"next_cursor":…}.

#include <optional>
#include <string>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "http/response.h"

namespace keyrelay::api {

inline http::Response json_response(int status, const boost::json::value& body) {
  return http::Response::json(status, boost::json::serialize(body));
}

inline http::Response collection(boost::json::array data, const std::optional<std::string>& next_cursor) {
  boost::json::object body{{"data", std::move(data)}};
  if (next_cursor) body["next_cursor"] = *next_cursor;
  else body["next_cursor"] = nullptr;
  return json_response(200, body);
}

}  // namespace keyrelay::api
