#include "catalog/price_json.h"

#include <cmath>
#include <set>

#include <boost/json/parse.hpp>

namespace keyrelay::catalog {
namespace {

using core::Error;
using core::Result;
namespace json = boost::json;

constexpr double kMicro = 1'000'000.0;
constexpr double kMaxUsdPerMillion = 1'000'000.0;  // far above any real price; keeps the arithmetic in range
constexpr std::int64_t kMaxOutputTokens = 100'000'000;

Error bad(std::string_view where, std::string_view key, std::string_view why) {
  return Error::invalid_request(std::string(where) + ": '" + std::string(key) + "' " + std::string(why));
}

// USD per 1M tokens → micro-USD per 1M tokens. A price must be a whole number of micro-dollars: a
// finer one would be rounded silently, so it is refused instead.
Result<std::int64_t> micro_usd(const json::value& v, std::string_view where, std::string_view key) {
  if (!v.is_number()) return bad(where, key, "must be a number (USD per 1M tokens)");
  const double usd = v.to_number<double>();
  if (!std::isfinite(usd) || usd < 0 || usd > kMaxUsdPerMillion)
    return bad(where, key, "must be a price from 0 to 1000000 USD per 1M tokens");
  const double micro = usd * kMicro;
  const double whole = std::round(micro);
  if (std::fabs(micro - whole) > 1e-3) return bad(where, key, "must not be finer than 0.000001 USD per 1M tokens");
  return static_cast<std::int64_t>(whole);
}

Result<std::optional<std::int64_t>> optional_micro_usd(const json::object& o, std::string_view where,
                                                       std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<std::int64_t>{};
  auto price = micro_usd(*v, where, key);
  if (!price) return price.error();
  return std::optional<std::int64_t>(*price);
}

Result<std::string> text(const json::object& o, std::string_view where, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string() || v->get_string().empty()) return bad(where, key, "must be a non-empty string");
  return std::string(v->get_string());
}

bool is_day(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (std::size_t i = 0; i < d.size(); ++i)
    if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9')) return false;
  return true;
}

// A '*' may only end a pattern; model ids never contain one.
bool valid_pattern(std::string_view model) {
  const auto star = model.find('*');
  return !model.empty() && (star == std::string_view::npos || star == model.size() - 1);
}

Result<ModelPrice> parse_entry(const json::object& o, std::string_view owner, std::size_t index) {
  ModelPrice p;
  std::string where = std::string(owner) + " price " + std::to_string(index);
  auto model = text(o, where, "model");
  if (!model) return model.error();
  p.model = std::move(*model);
  if (!valid_pattern(p.model)) return bad(where, "model", "may hold '*' only as its last character");
  where = std::string(owner) + " price '" + p.model + "'";
  auto input = micro_usd(o.contains("input") ? o.at("input") : json::value(), where, "input");
  if (!input) return input.error();
  auto output = micro_usd(o.contains("output") ? o.at("output") : json::value(), where, "output");
  if (!output) return output.error();
  auto cached = optional_micro_usd(o, where, "cached_input");
  if (!cached) return cached.error();
  auto write = optional_micro_usd(o, where, "cache_write");
  if (!write) return write.error();
  if (const auto* max_out = o.if_contains("max_output_tokens"); max_out != nullptr && !max_out->is_null()) {
    if (!max_out->is_int64() || max_out->get_int64() < 1 || max_out->get_int64() > kMaxOutputTokens)
      return bad(where, "max_output_tokens", "must be a whole number of tokens from 1 to 100000000");
    p.max_output_tokens = max_out->get_int64();
  }
  auto read_on = text(o, where, "read_on");
  if (!read_on) return read_on.error();
  if (!is_day(*read_on)) return bad(where, "read_on", "must be a date YYYY-MM-DD");
  auto source = text(o, where, "source");
  if (!source) return source.error();
  if (!source->starts_with("https://") && !source->starts_with("http://") && !source->starts_with("file:"))
    return bad(where, "source", "must be the URL the price was read from");
  p.input = *input;
  p.output = *output;
  p.cached_input = *cached;
  p.cache_write = *write;
  p.read_on = std::move(*read_on);
  p.source = std::move(*source);
  return p;
}

}  // namespace

Result<std::vector<ModelPrice>> parse_model_prices(const json::value& prices, std::string_view where) {
  std::vector<ModelPrice> out;
  if (!prices.is_array()) return bad(where, "prices", "must be an array of price entries");
  std::set<std::string, std::less<>> seen;
  std::size_t index = 0;
  for (const auto& entry : prices.get_array()) {
    if (!entry.is_object()) return bad(where, "prices", "must be an array of objects");
    auto price = parse_entry(entry.get_object(), where, index++);
    if (!price) return price.error();
    if (!seen.insert(price->model).second) return bad(where, "prices", "names model '" + price->model + "' twice");
    out.push_back(std::move(*price));
  }
  return out;
}

Result<std::vector<ProviderPrices>> parse_prices_file(std::string_view text) {
  boost::system::error_code ec;
  const json::value doc = json::parse(text, ec);
  if (ec) return Error::invalid_request("not valid JSON (" + ec.message() + ")");
  if (!doc.is_array()) return Error::invalid_request("must be a JSON array of {\"id\", \"prices\"}");
  std::vector<ProviderPrices> out;
  std::set<std::string, std::less<>> seen;
  std::size_t index = 0;
  for (const auto& entry : doc.get_array()) {
    const std::string where = "entry " + std::to_string(index++);
    const json::object* o = entry.if_object();
    const json::value* id = o != nullptr ? o->if_contains("id") : nullptr;
    if (id == nullptr || !id->is_string() || id->get_string().empty())
      return Error::invalid_request(where + ": 'id' must name a provider");
    ProviderPrices p;
    p.provider = std::string(id->get_string());
    if (!seen.insert(p.provider).second)
      return Error::invalid_request("provider '" + p.provider + "' appears twice");
    const json::value* prices = o->if_contains("prices");
    auto parsed = parse_model_prices(prices != nullptr ? *prices : json::value(), "provider '" + p.provider + "'");
    if (!parsed) return parsed.error();
    p.prices = std::move(*parsed);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace keyrelay::catalog
