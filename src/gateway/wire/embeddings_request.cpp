// parse_embeddings_request: the client's /v1/embeddings body, checked once before any provider is
// tried (OpenAI's rules for "input", "encoding_format" and "dimensions").

#include <algorithm>

#include "gateway/wire/embeddings_wire.h"
#include "gateway/wire/request_models.h"
#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway {
namespace {

using core::Error;
using wire::field;
namespace json = boost::json;

bool is_token_id(const json::value& v) {
  const auto n = wire::integer_of(v);
  return n && *n >= 0;
}

bool is_token_list(const json::value& v) {
  return v.is_array() && !v.get_array().empty() &&
         std::all_of(v.get_array().begin(), v.get_array().end(), [](const json::value& t) { return is_token_id(t); });
}

// The inputs as texts (`texts` left empty for token-id inputs).
core::Result<void> read_input(const json::object& body, std::vector<std::string>& texts) {
  const json::value* input = field(body, "input");
  constexpr std::string_view kShape =
      "input: must be a non-empty string, an array of non-empty strings, or token ids (an array of integers, "
      "or an array of such arrays)";
  if (input == nullptr) return Error::invalid_request(std::string(kShape));
  if (input->is_string()) {
    if (input->get_string().empty()) return Error::invalid_request(std::string(kShape));
    texts.emplace_back(input->get_string());
    return core::ok();
  }
  if (!input->is_array() || input->get_array().empty()) return Error::invalid_request(std::string(kShape));
  const auto& items = input->get_array();
  if (items.front().is_string()) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!items[i].is_string() || items[i].get_string().empty())
        return Error::invalid_request("input[" + std::to_string(i) + "]: must be a non-empty string");
      texts.emplace_back(items[i].get_string());
    }
    return core::ok();
  }
  if (is_token_list(*input)) return core::ok();
  if (std::all_of(items.begin(), items.end(), [](const json::value& v) { return is_token_list(v); })) return core::ok();
  return Error::invalid_request(std::string(kShape));
}

}  // namespace

core::Result<EmbeddingsRequest> parse_embeddings_request(std::string_view text) {
  auto doc = wire::parse_json(text);
  if (!doc || !doc->is_object()) return Error::invalid_request("the request body must be a JSON object");
  if (auto path = wire::non_finite_number_path(*doc)) return Error::invalid_request(*path + ": number out of range");
  // Move-constructed: the body keeps the parse's arena instead of being copied out of it.
  EmbeddingsRequest request{std::move(doc->get_object())};
  auto models = wire::take_models(request.body);
  if (!models) return models.error();
  request.models = std::move(*models);
  if (auto read = read_input(request.body, request.texts); !read) return read.error();
  if (const json::value* format = field(request.body, "encoding_format")) {
    const std::string_view name = format->is_string() ? std::string_view(format->get_string()) : "";
    if (name != "float" && name != "base64")
      return Error::invalid_request("encoding_format: must be \"float\" or \"base64\"");
    request.base64 = name == "base64";
  }
  if (const json::value* dimensions = field(request.body, "dimensions")) {
    const auto n = wire::integer_of(*dimensions);
    if (!n || *n < 1) return Error::invalid_request("dimensions: must be an integer of at least 1");
    request.dimensions = *n;
  }
  return request;
}

}  // namespace keyrelay::gateway
