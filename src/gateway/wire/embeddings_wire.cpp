// /v1/embeddings per wire: the OpenAI wire forwarded, Gemini's batchEmbedContents translated both
// ways (embeddings_wire.h).

#include "gateway/wire/embeddings_wire.h"

#include <bit>

#include <boost/json/serialize.hpp>

#include "core/encoding.h"
#include "gateway/wire/gemini_wire.h"
#include "gateway/wire/openai_wire.h"
#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway {
namespace {

using core::Error;
namespace json = boost::json;

core::Result<UpstreamCall> gemini_call(const EmbeddingsRequest& request, std::string_view model) {
  if (!wire::is_gemini_model_name(model))
    return Error::invalid_request("model: \"" + std::string(model.substr(0, 130)) +
                                  "\" is not a Gemini model name (letters, digits, '.', '_', '-'; at most 128)");
  if (request.texts.empty())
    return Error::invalid_request("input: a Gemini model embeds text; token ids cannot be sent to it");
  const std::string resource = "models/" + std::string(model);
  json::array requests;
  for (const auto& text : request.texts) {
    json::object one{{"model", resource}, {"content", json::object{{"parts", json::array{json::object{{"text", text}}}}}}};
    if (request.dimensions) one["outputDimensionality"] = *request.dimensions;
    requests.push_back(std::move(one));
  }
  return UpstreamCall{"/v1beta/models/" + core::percent_encode(model) + ":batchEmbedContents",
                      json::serialize(json::object{{"requests", std::move(requests)}})};
}

// The values of one ContentEmbedding; nullopt when it is not {"values":[numbers]}.
std::optional<std::vector<double>> values_of(const json::value& embedding) {
  const json::object* obj = embedding.if_object();
  const json::array* values = obj != nullptr ? wire::array_field(*obj, "values") : nullptr;
  if (values == nullptr) return std::nullopt;
  std::vector<double> out;
  out.reserve(values->size());
  for (const auto& v : *values) {
    const auto n = wire::number_of(v);
    if (!n) return std::nullopt;
    out.push_back(*n);
  }
  return out;
}

core::Result<EmbeddingsResponse> gemini_answer(std::string_view body, const EmbeddingsRequest& request,
                                               std::string_view model) {
  const auto doc = wire::parse_json(body);
  const json::object* answer = doc ? doc->if_object() : nullptr;
  const json::array* embeddings = answer != nullptr ? wire::array_field(*answer, "embeddings") : nullptr;
  if (embeddings == nullptr) return Error::upstream_error("the provider's answer is not a Gemini embeddings answer");
  if (embeddings->size() != request.texts.size())
    return Error::upstream_error("the provider answered " + std::to_string(embeddings->size()) + " embeddings for " +
                                 std::to_string(request.texts.size()) + " inputs");
  json::array data;
  for (std::size_t i = 0; i < embeddings->size(); ++i) {
    auto values = values_of((*embeddings)[i]);
    if (!values) return Error::upstream_error("the provider's embedding " + std::to_string(i) + " has no values");
    json::value embedding = request.base64 ? json::value(base64_float32(*values))
                                           : json::value(json::array(values->begin(), values->end()));
    data.push_back(json::object{{"object", "embedding"}, {"index", i}, {"embedding", std::move(embedding)}});
  }
  EmbeddingsResponse out;
  // Gemini's embeddings answer carries no token count as documented; a newer one may.
  if (const json::object* usage = wire::object_field(*answer, "usageMetadata")) {
    out.usage.input_tokens = wire::count_field(*usage, "promptTokenCount");
    out.usage.reported = true;
  }
  out.model = std::string(model);
  out.body = json::serialize(json::object{
      {"object", "list"},
      {"data", std::move(data)},
      {"model", model},
      {"usage", json::object{{"prompt_tokens", out.usage.input_tokens}, {"total_tokens", out.usage.input_tokens}}}});
  return out;
}

core::Result<EmbeddingsResponse> openai_answer(std::string_view body) {
  const auto doc = wire::parse_json(body);
  if (!doc || !doc->is_object() || wire::array_field(doc->get_object(), "data") == nullptr)
    return Error::upstream_error("the provider's answer is not an embeddings list");
  EmbeddingsResponse out{std::string(body), {}, std::string(wire::string_field(doc->get_object(), "model"))};
  if (auto usage = wire::usage_of_openai(doc->get_object())) out.usage = *usage;
  return out;
}

}  // namespace

core::Result<UpstreamCall> build_embeddings_call(catalog::Wire wire, const EmbeddingsRequest& request,
                                                 std::string_view model) {
  switch (wire) {
    case catalog::Wire::openai: {
      json::object body = request.body;
      body["model"] = model;
      return UpstreamCall{"/embeddings", json::serialize(body)};
    }
    case catalog::Wire::gemini: return gemini_call(request, model);
    case catalog::Wire::anthropic: break;
  }
  return Error::invalid_request("model: Anthropic has no embeddings API; name an OpenAI-wire or Gemini model");
}

core::Result<EmbeddingsResponse> translate_embeddings_response(catalog::Wire wire, std::string_view body,
                                                               const EmbeddingsRequest& request, std::string_view model) {
  if (wire == catalog::Wire::gemini) return gemini_answer(body, request, model);
  return openai_answer(body);
}

std::string base64_float32(const std::vector<double>& values) {
  core::Bytes bytes;
  bytes.reserve(values.size() * 4);
  for (const double v : values) {
    const auto bits = std::bit_cast<std::uint32_t>(static_cast<float>(v));
    for (int shift = 0; shift < 32; shift += 8) bytes.push_back(static_cast<std::uint8_t>(bits >> shift));
  }
  return core::base64_encode(bytes);
}

}  // namespace keyrelay::gateway
