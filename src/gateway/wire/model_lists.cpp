// The list-models call of each wire and the model ids in its answer.

#include "gateway/wire/chat_wire.h"
#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway {

std::string_view list_models_path(catalog::Wire wire) noexcept {
  switch (wire) {
    case catalog::Wire::openai: return "/models";
    case catalog::Wire::anthropic: return "/v1/models?limit=1000";  // one page holds them all
    case catalog::Wire::gemini: return "/v1beta/models?pageSize=1000";
  }
  return "/models";
}

// Entries without a usable id are skipped rather than failing the whole list. Gemini omits
// "models" from an empty list (proto3 JSON drops empty fields), so {} is an empty list there.
// Anthropic pages its list (has_more); one page of up to 1000 is read. Gemini also lists embedding
// and image models: only those that can generateContent are chat models.
core::Result<std::vector<std::string>> models_of_list(catalog::Wire which, std::string_view body) {
  namespace json = boost::json;
  const auto doc = wire::parse_json(body);
  const json::object* list = doc ? doc->if_object() : nullptr;
  const bool gemini = which == catalog::Wire::gemini;
  const std::string_view key = gemini ? "models" : "data";
  const json::value* items = list != nullptr ? list->if_contains(key) : nullptr;
  std::vector<std::string> models;
  if (gemini && list != nullptr && items == nullptr) return models;
  if (items == nullptr || !items->is_array())
    return core::Error::upstream_error("the provider's model list is not a list of models");
  for (const auto& item : items->get_array()) {
    if (!item.is_object()) continue;
    if (gemini) {
      const auto* methods = item.get_object().if_contains("supportedGenerationMethods");
      if (methods != nullptr && methods->is_array()) {
        bool chat = false;
        for (const auto& m : methods->get_array()) chat = chat || (m.is_string() && m.get_string() == "generateContent");
        if (!chat) continue;
      }
    }
    std::string_view id = wire::string_field(item.get_object(), gemini ? "name" : "id");
    if (gemini && id.starts_with("models/")) id.remove_prefix(7);
    if (!id.empty()) models.emplace_back(id);
  }
  return models;
}

}  // namespace keyrelay::gateway
