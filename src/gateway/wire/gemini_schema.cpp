#include <algorithm>
#include <array>

#include "gateway/wire/gemini_wire.h"
#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway::wire {
namespace {

// The fields of Gemini's Schema object (generativelanguage v1beta). A list of what is kept rather
// than of what is dropped: JSON Schema has many keywords Gemini rejects, and new ones keep coming.
constexpr std::array<std::string_view, 22> kGeminiSchemaKeys = {
    "type",      "format",    "title",         "description",   "nullable",  "enum",
    "maxItems",  "minItems",  "properties",    "required",      "minProperties", "maxProperties",
    "minLength", "maxLength", "pattern",       "example",       "anyOf",     "propertyOrdering",
    "default",   "items",     "minimum",       "maximum"};

bool is_kept(std::string_view key) {
  return std::find(kGeminiSchemaKeys.begin(), kGeminiSchemaKeys.end(), key) != kGeminiSchemaKeys.end();
}

json::value schema_value(const json::value& v) {
  return v.is_object() ? json::value(gemini_schema(v.get_object())) : v;
}

}  // namespace

json::object gemini_schema(const json::object& schema) {
  json::object out;
  for (const auto& [key, value] : schema) {
    if (!is_kept(key)) continue;
    if (key == "properties" && value.is_object()) {
      json::object properties;
      for (const auto& [name, sub] : value.get_object()) properties[name] = schema_value(sub);
      out[key] = std::move(properties);
    } else if (key == "items") {
      out[key] = schema_value(value);
    } else if (key == "anyOf" && value.is_array()) {
      json::array alternatives;
      for (const auto& sub : value.get_array()) alternatives.push_back(schema_value(sub));
      out[key] = std::move(alternatives);
    } else if (key == "type" && value.is_array()) {
      // ["string","null"] → "string" + nullable; other unions are left for Gemini to judge.
      json::array types = value.get_array();
      const auto null_at = std::find(types.begin(), types.end(), json::value("null"));
      if (null_at != types.end() && types.size() == 2) {
        types.erase(null_at);
        out[key] = types.front();
        out["nullable"] = true;
      } else {
        out[key] = value;
      }
    } else {
      out[key] = value;
    }
  }
  return out;
}

}  // namespace keyrelay::gateway::wire
