#include "api/json_input.h"

#include <algorithm>
#include <charconv>

#include <boost/json/memory_resource.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/decode_view.hpp>
#include <boost/url/parse_query.hpp>

#include "core/secret.h"
#include "core/time_format.h"

namespace keyrelay::api {

using core::Error;
using core::Result;
namespace json = boost::json;

namespace {

Error wrong_type(std::string_view name, std::string_view expected) {
  return Error::invalid_request("field '" + std::string(name) + "' must be " + std::string(expected));
}

// Heap blocks of a parsed body, wiped before they are freed: a body may carry a secret (create,
// rotate, validate), and the parser and the value copy it around as they grow.
class WipingResource final : public json::memory_resource {
  void* do_allocate(std::size_t bytes, std::size_t) override { return ::operator new(bytes); }
  void do_deallocate(void* p, std::size_t bytes, std::size_t) override {
    core::wipe_memory(p, bytes);
    ::operator delete(p);
  }
  bool do_is_equal(const json::memory_resource& other) const noexcept override { return this == &other; }
};

// json::parse with every block — the parser's working stack included — wiped when freed. The value
// is returned as released (a move into a value of another storage would copy it, unwiped).
json::value parse_wiping(std::string_view text, boost::system::error_code& ec, const json::parse_options& options) {
  const json::storage_ptr storage = json::make_shared_resource<WipingResource>();
  unsigned char scratch[4096];  // the parser's first working space, on our stack
  struct WipeOnExit {
    unsigned char* bytes;
    std::size_t size;
    ~WipeOnExit() { core::wipe_memory(bytes, size); }
  } wipe_scratch{scratch, sizeof scratch};
  json::parser parser(storage, options, scratch, sizeof scratch);
  parser.reset(storage);
  parser.write(text, ec);
  if (ec) return json::value(storage);
  return parser.release();
}

}  // namespace

Result<json::object> json_object_body(const http::Request& request, std::initializer_list<std::string_view> allowed) {
  if (auto type = request.headers.get("Content-Type")) {
    const auto base = type->substr(0, type->find(';'));
    std::string lowered(base);
    std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char c) { return std::tolower(c); });
    while (!lowered.empty() && lowered.back() == ' ') lowered.pop_back();
    if (lowered != "application/json") return Error::unsupported_media_type("request body must be application/json");
  }
  if (request.body.empty()) return Error::invalid_request("request body must be a JSON object");
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 32;
  json::value value = parse_wiping(request.body, ec, options);
  if (ec) return Error::invalid_request("request body is not valid JSON");
  if (!value.is_object()) return Error::invalid_request("request body must be a JSON object");
  auto& object = value.as_object();
  for (const auto& [key, v] : object) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(key)) == allowed.end())
      return Error::invalid_request("unknown field '" + std::string(key) + "'");
  }
  return std::move(object);
}

Result<std::optional<std::string>> string_field(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) return std::optional<std::string>{};
  if (!v->is_string()) return wrong_type(name, "a string");
  return std::optional<std::string>(std::string(v->get_string()));
}

Result<std::optional<bool>> bool_field(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) return std::optional<bool>{};
  if (!v->is_bool()) return wrong_type(name, "true or false");
  return std::optional<bool>(v->get_bool());
}

Result<std::optional<std::int64_t>> int_field(const json::object& o, std::string_view name, std::int64_t min,
                                               std::int64_t max) {
  const auto* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) return std::optional<std::int64_t>{};
  std::int64_t n = 0;
  if (v->is_int64()) n = v->get_int64();
  else if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(max)) n = static_cast<std::int64_t>(v->get_uint64());
  else return wrong_type(name, "an integer from " + std::to_string(min) + " to " + std::to_string(max));
  if (n < min || n > max) return wrong_type(name, "an integer from " + std::to_string(min) + " to " + std::to_string(max));
  return std::optional<std::int64_t>(n);
}

Result<TimeField> time_field(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  if (v == nullptr) return TimeField{};
  if (v->is_null()) return TimeField{true, std::nullopt};
  if (!v->is_string()) return wrong_type(name, "an RFC 3339 time such as 2027-01-31T00:00:00Z, or null");
  auto t = core::parse_rfc3339(v->get_string());
  if (!t) return wrong_type(name, "an RFC 3339 time such as 2027-01-31T00:00:00Z, or null");
  return TimeField{true, *t};
}

Result<std::optional<std::string>> object_field(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) return std::optional<std::string>{};
  if (!v->is_object()) return wrong_type(name, "a JSON object");
  return std::optional<std::string>(json::serialize(*v));
}

Result<Query> Query::parse(std::string_view raw) {
  Query q;
  if (raw.empty()) return q;
  auto params = boost::urls::parse_query(raw);
  if (!params) return Error::invalid_request("malformed query string");
  // Keys and values arrive percent-encoded (clients send ':' as %3A). '+' stays '+': RFC 3339
  // offsets use it, and these are not HTML form posts.
  for (const auto& p : *params) {
    const auto key = *p.key;
    std::string value;
    if (p.has_value) {
      const auto decoded = *p.value;
      value.assign(decoded.begin(), decoded.end());
    }
    q.params_.emplace_back(std::string(key.begin(), key.end()), std::move(value));
  }
  return q;
}

std::optional<std::string> Query::get(std::string_view name) const {
  for (const auto& [k, v] : params_)
    if (k == name) return v;
  return std::nullopt;
}

Result<void> Query::only(std::initializer_list<std::string_view> allowed) const {
  for (const auto& [k, v] : params_) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(k)) == allowed.end())
      return Error::invalid_request("unknown query parameter '" + k + "'");
  }
  return core::ok();
}

Result<store::PageRequest> page_request(const Query& query) {
  store::PageRequest page;
  if (auto limit = query.get("limit")) {
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), n);
    if (ec != std::errc{} || end != limit->data() + limit->size() || n < 1 || n > 200)
      return Error::invalid_request("limit must be a whole number from 1 to 200");
    page.limit = n;
  }
  if (auto cursor = query.get("cursor")) {
    if (cursor->empty()) return Error::invalid_request("malformed cursor");
    page.cursor = std::move(*cursor);
  }
  return page;
}

}  // namespace keyrelay::api
