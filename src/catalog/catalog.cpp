#include "catalog/catalog.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <set>

#include "catalog/price_json.h"

namespace keyrelay::catalog {

extern const std::string_view kBuiltinCatalogJson;

namespace {

using core::Error;
using core::Result;
namespace json = boost::json;

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 32) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

// Reads object fields with errors that name the provider and the field.
class Reader {
 public:
  Reader(const json::object& obj, std::string where) : obj_(obj), where_(std::move(where)) {}

  Result<std::string> str(std::string_view key) const {
    const auto* v = obj_.if_contains(key);
    if (v == nullptr || !v->is_string()) return bad(key, "must be a string");
    return std::string(v->get_string());
  }
  Result<std::optional<std::string>> optional_str(std::string_view key) const {
    const auto* v = obj_.if_contains(key);
    if (v == nullptr || v->is_null()) return std::optional<std::string>{};
    if (!v->is_string()) return bad(key, "must be a string or null");
    return std::optional<std::string>(std::string(v->get_string()));
  }
  Result<std::vector<std::string>> strings(std::string_view key) const {
    std::vector<std::string> out;
    const auto* v = obj_.if_contains(key);
    if (v == nullptr) return out;
    if (!v->is_array()) return bad(key, "must be an array of strings");
    for (const auto& item : v->get_array()) {
      if (!item.is_string()) return bad(key, "must be an array of strings");
      out.emplace_back(item.get_string());
    }
    return out;
  }
  Result<const json::object*> object(std::string_view key) const {
    const auto* v = obj_.if_contains(key);
    if (v == nullptr || !v->is_object()) return bad(key, "must be an object");
    return &v->get_object();
  }
  Error bad(std::string_view key, std::string_view why) const {
    return Error::invalid_request("provider catalog: " + where_ + ": '" + std::string(key) + "' " + std::string(why));
  }
  const std::string& where() const { return where_; }

 private:
  const json::object& obj_;
  std::string where_;
};

#define KR_TRY_ASSIGN(target, expr)     \
  do {                                  \
    auto kr_r = (expr);                 \
    if (!kr_r) return kr_r.error();     \
    target = std::move(*kr_r);          \
  } while (0)

// The provider's "auth": where its key goes, and the further places it may come in (auth.also).
Result<void> parse_auth(const Reader& r, Provider& p) {
  const json::object* auth = nullptr;
  KR_TRY_ASSIGN(auth, r.object("auth"));
  Reader a(*auth, r.where() + " auth");
  std::string in;
  KR_TRY_ASSIGN(in, a.str("in"));
  if (in == "header") p.auth.in = AuthPlacement::header;
  else if (in == "query") p.auth.in = AuthPlacement::query;
  else return a.bad("in", "must be header or query");
  KR_TRY_ASSIGN(p.auth.name, a.str("name"));
  KR_TRY_ASSIGN(p.auth.format, a.str("format"));
  const auto first = p.auth.format.find("{key}");
  if (p.auth.name.empty() || first == std::string::npos || p.auth.format.find("{key}", first + 1) != std::string::npos)
    return a.bad("format", "must contain {key} exactly once");

  if (const auto* also = auth->if_contains("also"); also != nullptr) {
    if (!also->is_array()) return a.bad("also", "must be an array of {in, name}");
    for (const auto& item : also->get_array()) {
      if (!item.is_object()) return a.bad("also", "must be an array of {in, name}");
      Reader place(item.get_object(), r.where() + " auth.also");
      CredentialPlace c;
      std::string place_in;
      KR_TRY_ASSIGN(place_in, place.str("in"));
      if (place_in == "header") c.in = AuthPlacement::header;
      else if (place_in == "query") c.in = AuthPlacement::query;
      else return place.bad("in", "must be header or query");
      KR_TRY_ASSIGN(c.name, place.str("name"));
      if (c.name.empty()) return place.bad("name", "must not be empty");
      p.auth.also.push_back(std::move(c));
    }
  }
  return core::ok();
}

// "account_headers" and "extra_headers", both optional.
Result<void> parse_headers(const json::object& obj, const Reader& r, Provider& p) {
  if (const auto* account = obj.if_contains("account_headers"); account != nullptr) {
    if (!account->is_object()) return r.bad("account_headers", "must be an object of two string arrays");
    Reader h(account->get_object(), r.where() + " account_headers");
    KR_TRY_ASSIGN(p.account_headers.request, h.strings("request"));
    KR_TRY_ASSIGN(p.account_headers.response, h.strings("response"));
  }

  if (const auto* extra = obj.if_contains("extra_headers"); extra != nullptr) {
    if (!extra->is_object()) return r.bad("extra_headers", "must be an object of strings");
    for (const auto& [k, v] : extra->get_object()) {
      if (!v.is_string()) return r.bad("extra_headers", "must be an object of strings");
      p.extra_headers.emplace_back(std::string(k), std::string(v.get_string()));
    }
  }
  return core::ok();
}

Result<Provider> parse_provider(const json::object& obj, std::size_t index) {
  Provider p;
  Reader top(obj, "entry " + std::to_string(index));
  KR_TRY_ASSIGN(p.id, top.str("id"));
  if (!valid_id(p.id)) return top.bad("id", "must be 1-32 characters of [a-z0-9-]");
  Reader r(obj, "provider '" + p.id + "'");
  KR_TRY_ASSIGN(p.name, r.str("name"));
  std::string kind;
  KR_TRY_ASSIGN(kind, r.str("kind"));
  if (kind == "llm") p.kind = Kind::llm;
  else if (kind == "service") p.kind = Kind::service;
  else if (kind == "mcp") p.kind = Kind::mcp;
  else return r.bad("kind", "must be llm, service or mcp");
  KR_TRY_ASSIGN(p.fields, r.strings("fields"));
  if (p.fields.empty()) return r.bad("fields", "must name at least one secret field");
  KR_TRY_ASSIGN(p.base_url, r.str("base_url"));
  if (!p.base_url.starts_with("https://") && !p.base_url.starts_with("http://"))
    return r.bad("base_url", "must be an http(s) URL");
  while (p.base_url.ends_with('/')) p.base_url.pop_back();

  if (auto parsed = parse_auth(r, p); !parsed) return parsed.error();
  if (auto parsed = parse_headers(obj, r, p); !parsed) return parsed.error();

  const json::object* validate = nullptr;
  KR_TRY_ASSIGN(validate, r.object("validate"));
  Reader v(*validate, r.where() + " validate");
  KR_TRY_ASSIGN(p.validate.method, v.str("method"));
  if (p.validate.method != "GET" && p.validate.method != "POST") return v.bad("method", "must be GET or POST");
  KR_TRY_ASSIGN(p.validate.path, v.str("path"));
  // An MCP server has one endpoint, the base URL itself: its validation call may add nothing.
  if (!p.validate.path.starts_with('/') && !(p.kind == Kind::mcp && p.validate.path.empty()))
    return v.bad("path", "must start with /");
  if (const auto* body = validate->if_contains("body"); body != nullptr && !body->is_null())
    p.validate.body_json = json::serialize(*body);

  KR_TRY_ASSIGN(p.key_prefix, r.optional_str("key_prefix"));
  KR_TRY_ASSIGN(p.signup_url, r.str("signup_url"));
  KR_TRY_ASSIGN(p.docs_url, r.str("docs_url"));
  std::optional<std::string> wire;
  KR_TRY_ASSIGN(wire, r.optional_str("wire"));
  if (wire) {
    if (*wire == "openai") p.wire = Wire::openai;
    else if (*wire == "anthropic") p.wire = Wire::anthropic;
    else if (*wire == "gemini") p.wire = Wire::gemini;
    else return r.bad("wire", "must be openai, anthropic, gemini or null");
  }
  if (p.kind == Kind::llm && !p.wire) return r.bad("wire", "is required for an llm provider");
  if (p.kind == Kind::mcp && p.wire) return r.bad("wire", "must be null for an mcp server");
  KR_TRY_ASSIGN(p.model_prefixes, r.strings("model_prefixes"));
  KR_TRY_ASSIGN(p.embedding_models, r.strings("embedding_models"));
  if (const auto* prices = obj.if_contains("prices"); prices != nullptr)
    KR_TRY_ASSIGN(p.prices, parse_model_prices(*prices, "provider catalog: " + r.where()));
  return p;
}

#undef KR_TRY_ASSIGN

}  // namespace

std::string_view kind_name(Kind k) noexcept {
  switch (k) {
    case Kind::llm: return "llm";
    case Kind::service: return "service";
    case Kind::mcp: return "mcp";
  }
  return "service";
}

std::string_view wire_name(Wire w) noexcept {
  switch (w) {
    case Wire::openai: return "openai";
    case Wire::anthropic: return "anthropic";
    case Wire::gemini: return "gemini";
  }
  return "openai";
}

Result<Catalog> Catalog::parse(std::string_view text) {
  boost::system::error_code ec;
  const json::value doc = json::parse(text, ec);
  if (ec) return Error::invalid_request("provider catalog: not valid JSON (" + ec.message() + ")");
  if (!doc.is_array()) return Error::invalid_request("provider catalog: must be a JSON array of providers");
  Catalog catalog;
  std::set<std::string, std::less<>> seen;
  std::size_t index = 0;
  for (const auto& entry : doc.get_array()) {
    if (!entry.is_object())
      return Error::invalid_request("provider catalog: entry " + std::to_string(index) + " must be an object");
    auto provider = parse_provider(entry.get_object(), index++);
    if (!provider) return provider.error();
    if (!seen.insert(provider->id).second)
      return Error::invalid_request("provider catalog: duplicate provider id '" + provider->id + "'");
    catalog.providers_.push_back(std::move(*provider));
  }
  return catalog;
}

Result<Catalog> Catalog::builtin() { return parse(kBuiltinCatalogJson); }

Result<Catalog> Catalog::with_base_url(std::string_view id, std::string_view url) const {
  if (!url.starts_with("https://") && !url.starts_with("http://"))
    return Error::invalid_request("base URL of provider '" + std::string(id) + "' must be an http(s) URL");
  Catalog copy = *this;
  for (auto& p : copy.providers_) {
    if (p.id != id) continue;
    p.base_url = std::string(url);
    while (p.base_url.ends_with('/')) p.base_url.pop_back();
    return copy;
  }
  return Error::invalid_request("no provider '" + std::string(id) + "' in the catalog to override");
}

Catalog Catalog::with_providers(const Catalog& operator_providers) const {
  Catalog copy = *this;
  for (const auto& extra : operator_providers.providers_) {
    bool replaced = false;
    for (auto& p : copy.providers_)
      if (p.id == extra.id) {
        p = extra;
        replaced = true;
      }
    if (!replaced) copy.providers_.push_back(extra);
  }
  return copy;
}

const Provider* Catalog::find(std::string_view id) const noexcept {
  for (const auto& p : providers_)
    if (p.id == id) return &p;
  return nullptr;
}

}  // namespace keyrelay::catalog
