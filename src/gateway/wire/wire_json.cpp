#include "gateway/wire/wire_json.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace keyrelay::gateway::wire {

std::optional<json::value> parse_json(std::string_view text) {
  // Every node of the document in one arena sized from the text (a JSON document's tree takes about
  // twice its text), freed at once with the last value that uses it: a handful of allocations per
  // document instead of one per string, array and object.
  const std::size_t arena = std::min<std::size_t>(2 * text.size() + 512, 4 * 1024 * 1024);
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, json::make_shared_resource<json::monotonic_resource>(arena));
  if (ec) return std::nullopt;
  return v;
}

const json::value* field(const json::object& obj, std::string_view key) noexcept {
  const json::value* v = obj.if_contains(key);
  return v == nullptr || v->is_null() ? nullptr : v;
}

const json::object* object_field(const json::object& obj, std::string_view key) noexcept {
  const json::value* v = obj.if_contains(key);
  return v != nullptr ? v->if_object() : nullptr;
}

const json::array* array_field(const json::object& obj, std::string_view key) noexcept {
  const json::value* v = obj.if_contains(key);
  return v != nullptr ? v->if_array() : nullptr;
}

std::string_view string_field(const json::object& obj, std::string_view key) noexcept {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  return v->get_string();
}

std::optional<std::int64_t> integer_of(const json::value& v) noexcept {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) {
    if (v.get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(v.get_uint64());
  }
  if (v.is_double()) {
    const double d = v.get_double();
    // 2^63 as a double: anything at or past it does not fit.
    if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) >= 9.2233720368547758e18) return std::nullopt;
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

json::value integral(const json::value& v) {
  if (!v.is_double()) return v;
  const auto n = integer_of(v);
  return n ? json::value(*n) : v;
}

std::optional<double> number_of(const json::value& v) noexcept {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return std::nullopt;
}

std::uint64_t count_field(const json::object& obj, std::string_view key) noexcept {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_uint64()) return v->get_uint64();
  const auto n = integer_of(*v);
  return n && *n > 0 ? static_cast<std::uint64_t>(*n) : 0;
}

std::string_view error_message_of(const json::object& doc) noexcept {
  const json::value* error = doc.if_contains("error");
  if (error == nullptr) return {};
  if (error->is_string()) return error->get_string();
  if (error->is_object()) return string_field(error->get_object(), "message");
  return {};
}

namespace {

// True when `v` holds a non-finite number; `where` then receives its path, innermost segment first.
bool has_non_finite_number(const json::value& v, std::vector<std::string>& where) {
  if (v.is_double()) return !std::isfinite(v.get_double());
  if (const json::object* o = v.if_object()) {
    for (const auto& [key, item] : *o) {
      if (has_non_finite_number(item, where)) {
        where.push_back("." + std::string(key));
        return true;
      }
    }
  } else if (const json::array* a = v.if_array()) {
    for (std::size_t i = 0; i < a->size(); ++i) {
      if (has_non_finite_number((*a)[i], where)) {
        where.push_back("[" + std::to_string(i) + "]");
        return true;
      }
    }
  }
  return false;
}

}  // namespace

std::optional<std::string> non_finite_number_path(const json::value& v) {
  std::vector<std::string> where;
  if (!has_non_finite_number(v, where)) return std::nullopt;
  std::string path;
  for (auto it = where.rbegin(); it != where.rend(); ++it) path += *it;
  return path.empty() ? std::string("(the body)") : path.substr(path.front() == '.' ? 1 : 0);
}

std::string data_event(std::string_view json_text) {
  std::string out;
  out.reserve(json_text.size() + 8);
  out.append("data: ");
  // Data that arrived on several lines keeps one "data:" line per line, so its framing survives.
  for (auto nl = json_text.find('\n'); nl != std::string_view::npos; nl = json_text.find('\n')) {
    out.append(json_text.substr(0, nl)).append("\ndata: ");
    json_text.remove_prefix(nl + 1);
  }
  out.append(json_text).append("\n\n");
  return out;
}

std::string data_event(const json::value& v) { return data_event(json::serialize(v)); }

}  // namespace keyrelay::gateway::wire
