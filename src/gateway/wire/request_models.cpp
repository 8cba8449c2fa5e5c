#include "gateway/wire/request_models.h"

#include <algorithm>

#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway::wire {

core::Result<std::vector<std::string>> take_models(json::object& body) {
  using core::Error;
  std::vector<std::string> models;
  if (const json::value* model = field(body, "model")) {
    if (!model->is_string()) return Error::invalid_request("model: must be a string");
    if (!model->get_string().empty()) models.emplace_back(model->get_string());
  }
  if (const json::value* list = field(body, "models")) {
    if (!list->is_array()) return Error::invalid_request("models: must be an array of model names");
    for (const auto& m : list->get_array()) {
      if (!m.is_string() || m.get_string().empty())
        return Error::invalid_request("models: every entry must be a non-empty string");
      std::string name(m.get_string());
      if (std::find(models.begin(), models.end(), name) == models.end()) models.push_back(std::move(name));
    }
  }
  body.erase("models");
  if (models.empty()) return Error::invalid_request("model: missing or empty (name a model, or give \"models\")");
  return models;
}

}  // namespace keyrelay::gateway::wire
