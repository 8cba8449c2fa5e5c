#include "embeddings.h"

#include <bit>
#include <cstdint>
#include <set>
#include <vector>

#include "chat.h"
#include "failure_answers.h"
#include "json_util.h"

namespace keyrelay::mock {
namespace {

namespace json = boost::json;

constexpr std::int64_t kDefaultDimensions = 8;

json::array vector_of(std::size_t words, std::int64_t dimensions) {
  json::array values;
  for (std::int64_t k = 0; k < dimensions; ++k) values.push_back(static_cast<double>(10 * words + k) / 64.0);
  return values;
}

std::string base64_of_floats(const json::array& values) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<std::uint8_t> bytes;
  for (const auto& v : values) {
    const auto bits = std::bit_cast<std::uint32_t>(static_cast<float>(v.as_double()));
    for (int shift = 0; shift < 32; shift += 8) bytes.push_back(static_cast<std::uint8_t>(bits >> shift));
  }
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::uint32_t n = (bytes[i] << 16) | (i + 1 < bytes.size() ? bytes[i + 1] << 8 : 0) |
                            (i + 2 < bytes.size() ? bytes[i + 2] : 0);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

// Words per input of an OpenAI "input" (token ids: one per id); nullopt when it is malformed.
std::optional<std::vector<std::size_t>> openai_inputs(const json::value& input) {
  std::vector<std::size_t> words;
  if (input.is_string()) {
    if (input.as_string().empty()) return std::nullopt;
    return std::vector<std::size_t>{count_words(input.as_string())};
  }
  if (!input.is_array() || input.as_array().empty()) return std::nullopt;
  const auto& items = input.as_array();
  if (items.front().is_int64() || items.front().is_uint64()) return std::vector<std::size_t>{items.size()};
  for (const auto& item : items) {
    if (item.is_string() && !item.as_string().empty()) words.push_back(count_words(item.as_string()));
    else if (item.is_array() && !item.as_array().empty()) words.push_back(item.as_array().size());
    else return std::nullopt;
  }
  return words;
}

}  // namespace

std::optional<std::string> gemini_embeddings_model(std::string_view rest) {
  constexpr std::string_view kPrefix = "/v1beta/models/";
  constexpr std::string_view kAction = ":batchEmbedContents";
  if (!rest.starts_with(kPrefix) || !rest.ends_with(kAction)) return std::nullopt;
  std::string model = percent_decode(rest.substr(kPrefix.size(), rest.size() - kPrefix.size() - kAction.size()));
  if (model.empty() || model.find('/') != std::string::npos) return std::nullopt;
  return model;
}

Answer openai_embeddings_answer(const Provider& p, const Incoming& in) {
  const auto body = parse_object(in.body);
  if (!body) return bad_request_answer(p, "We could not parse the JSON body of your request.");
  static const std::set<std::string, std::less<>> kFields = {"model", "input", "encoding_format", "dimensions", "user"};
  for (const auto& field : *body)
    if (!kFields.contains(field.key()))
      return bad_request_answer(p, "Unrecognized request argument supplied: " + std::string(field.key()));
  const auto model = string_at(*body, "model");
  if (!model || model->empty()) return bad_request_answer(p, "you must provide a model parameter", "model");
  const auto* input = body->if_contains("input");
  const auto words = input != nullptr ? openai_inputs(*input) : std::nullopt;
  if (!words) return bad_request_answer(p, "'input' is invalid", "input");
  const std::string format = string_at(*body, "encoding_format").value_or("float");
  if (format != "float" && format != "base64")
    return bad_request_answer(p, "'encoding_format' must be 'float' or 'base64'", "encoding_format");
  std::int64_t dimensions = kDefaultDimensions;
  if (const auto* d = body->if_contains("dimensions")) {
    if (!is_integer_at_least(*d, 1)) return bad_request_answer(p, "'dimensions' must be at least 1", "dimensions");
    dimensions = d->to_number<std::int64_t>();
  }
  json::array data;
  std::size_t tokens = 0;
  for (std::size_t i = 0; i < words->size(); ++i) {
    json::array values = vector_of((*words)[i], dimensions);
    tokens += (*words)[i];
    json::value embedding = format == "base64" ? json::value(base64_of_floats(values)) : json::value(std::move(values));
    data.push_back(json::object{{"object", "embedding"}, {"index", i}, {"embedding", std::move(embedding)}});
  }
  return json_answer(200, json::object{{"object", "list"},
                                       {"data", std::move(data)},
                                       {"model", *model},
                                       {"usage", json::object{{"prompt_tokens", tokens}, {"total_tokens", tokens}}}});
}

Answer gemini_embeddings_answer(const Provider& p, const Incoming& in, const std::string& model) {
  const auto body = parse_object(in.body);
  if (!body) return bad_request_answer(p, "Invalid JSON payload received. Expected a JSON object.");
  for (const auto& field : *body)
    if (field.key() != "requests")
      return bad_request_answer(p, "Invalid JSON payload received. Unknown name \"" + std::string(field.key()) +
                                       "\": Cannot find field.");
  const auto* requests = body->if_contains("requests");
  if (requests == nullptr || !requests->is_array() || requests->as_array().empty())
    return bad_request_answer(p, "* BatchEmbedContentsRequest.requests: contents is not specified");
  static const std::set<std::string, std::less<>> kFields = {"model", "content", "taskType", "title",
                                                             "outputDimensionality"};
  json::array embeddings;
  for (std::size_t i = 0; i < requests->as_array().size(); ++i) {
    const std::string where = "requests[" + std::to_string(i) + "]";
    const auto& entry = requests->as_array()[i];
    if (!entry.is_object()) return bad_request_answer(p, where + ": Invalid value (not an object)");
    const auto& request = entry.as_object();
    for (const auto& field : request)
      if (!kFields.contains(field.key()))
        return bad_request_answer(p, "Invalid JSON payload received. Unknown name \"" + std::string(field.key()) +
                                         "\" at '" + where + "': Cannot find field.");
    if (string_at(request, "model").value_or("") != "models/" + model)
      return bad_request_answer(p, "* BatchEmbedContentsRequest." + where + ".model: the model must be models/" + model);
    const auto* content = request.if_contains("content");
    const auto* parts = content != nullptr && content->is_object() ? content->as_object().if_contains("parts") : nullptr;
    if (parts == nullptr || !parts->is_array() || parts->as_array().empty())
      return bad_request_answer(p, "* BatchEmbedContentsRequest." + where + ".content: contents is not specified");
    std::size_t words = 0;
    for (const auto& part : parts->as_array()) {
      const auto text = part.is_object() ? string_at(part.as_object(), "text") : std::nullopt;
      if (!text || text->empty()) return bad_request_answer(p, where + ".content.parts: only non-empty text parts are embedded");
      words += count_words(*text);
    }
    std::int64_t dimensions = kDefaultDimensions;
    if (const auto* d = request.if_contains("outputDimensionality")) {
      if (!is_integer_at_least(*d, 1)) return bad_request_answer(p, where + ".outputDimensionality: must be positive");
      dimensions = d->to_number<std::int64_t>();
    }
    embeddings.push_back(json::object{{"values", vector_of(words, dimensions)}});
  }
  return json_answer(200, json::object{{"embeddings", std::move(embeddings)}});
}

}  // namespace keyrelay::mock
