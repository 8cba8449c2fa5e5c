#include "gateway/spend_estimate.h"

#include <boost/json/parse.hpp>

#include "catalog/call_cost.h"

namespace keyrelay::gateway {
namespace {

namespace json = boost::json;

// The body as a JSON object, when it is one (a malformed body is the provider's to refuse).
std::optional<json::object> body_object(std::string_view body) {
  if (body.empty() || body.front() != '{') return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

std::optional<std::int64_t> positive_int(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64() && v->get_int64() > 0) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() > 0 && v->get_uint64() < (1ull << 40)) return static_cast<std::int64_t>(v->get_uint64());
  return std::nullopt;
}

// The request's own bound on the completion, on any of the three wires.
std::optional<std::int64_t> requested_max_output(const json::object& body) {
  for (std::string_view name : {"max_completion_tokens", "max_tokens", "max_output_tokens"})
    if (auto n = positive_int(body, name)) return n;
  if (const auto* config = body.if_contains("generationConfig"); config != nullptr && config->is_object())
    return positive_int(config->get_object(), "maxOutputTokens");
  return std::nullopt;
}

std::string gemini_path_model(std::string_view url) {
  const auto at = url.find("/models/");
  if (at == std::string_view::npos) return {};
  std::string_view rest = url.substr(at + 8);
  const auto end = rest.find_first_of(":/?");
  return std::string(rest.substr(0, end));
}

}  // namespace

std::string called_model(const ProviderCall& call) {
  if (!call.model.empty()) return call.model;
  if (auto body = body_object(call.body)) {
    if (const auto* m = body->if_contains("model"); m != nullptr && m->is_string()) return std::string(m->get_string());
  }
  return gemini_path_model(call.url);
}

SpendEstimate estimate_worst_case(const catalog::PriceTable& prices, const catalog::Provider& provider,
                                  const ProviderCall& call, const SpendEstimateOptions& options) {
  SpendEstimate out;
  out.model = called_model(call);
  const bool proxy = call.route == "proxy";
  const catalog::ModelPrice* price = out.model.empty() ? nullptr : prices.find(provider.id, out.model);
  std::optional<std::size_t> bytes = call.body.size();
  if (call.body_source) bytes = call.body_source->content_length();
  if (price == nullptr || !bytes) {
    if (proxy) out.micro_usd = options.proxy_call_micro_usd;
    return out;
  }
  std::optional<std::int64_t> max_output;
  if (!call.body_source)
    if (auto body = body_object(call.body)) max_output = requested_max_output(*body);
  if (!max_output) max_output = price->max_output_tokens.value_or(options.default_max_output_tokens);
  catalog::TokenCounts worst;
  worst.input = (*bytes + 2) / 3;
  worst.output = static_cast<std::uint64_t>(*max_output);
  out.micro_usd = catalog::call_cost_micro_usd(*price, worst);
  return out;
}

}  // namespace keyrelay::gateway
