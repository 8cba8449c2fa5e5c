#include "gateway/model_resolver.h"

#include <algorithm>
#include <set>

namespace keyrelay::gateway {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    const auto at = text.find(sep);
    parts.push_back(trim(text.substr(0, at)));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

}  // namespace

core::Result<ModelAliases> parse_model_aliases(std::string_view text) {
  ModelAliases aliases;
  for (std::string_view entry : split(text, ';')) {
    if (entry.empty()) continue;
    const auto eq = entry.find('=');
    const std::string_view name = trim(entry.substr(0, eq));
    if (eq == std::string_view::npos || name.empty())
      return core::Error::invalid_request("model alias '" + std::string(entry) + "' must look like name=provider/model");
    std::vector<std::string> chain;
    for (std::string_view target : split(entry.substr(eq + 1), '|'))
      if (!target.empty()) chain.emplace_back(target);
    if (chain.empty()) return core::Error::invalid_request("model alias '" + std::string(name) + "' names no model");
    if (!aliases.emplace(std::string(name), std::move(chain)).second)
      return core::Error::invalid_request("model alias '" + std::string(name) + "' is defined twice");
  }
  for (const auto& [name, chain] : aliases)
    for (const auto& target : chain)
      if (aliases.contains(target))
        return core::Error::invalid_request("model alias '" + name + "' points at another alias '" + target + "'");
  return aliases;
}

ModelResolver::ModelResolver(std::shared_ptr<const catalog::Catalog> catalog, ModelAliases aliases)
    : catalog_(std::move(catalog)), aliases_(std::move(aliases)) {}

core::Result<ModelTarget> ModelResolver::resolve(std::string_view name) const {
  if (name.empty()) return core::Error::invalid_request("model must not be empty");
  if (const auto slash = name.find('/'); slash != std::string_view::npos) {
    if (const auto* provider = catalog_->find(name.substr(0, slash))) {
      if (!provider->wire)
        return core::Error::invalid_request("provider '" + provider->id + "' has no chat API; use /proxy/" +
                                            provider->id + "/…");
      const std::string_view model = name.substr(slash + 1);
      if (model.empty()) return core::Error::invalid_request("model '" + std::string(name) + "' names no model");
      return ModelTarget{provider, std::string(model), std::string(name)};
    }
  }
  for (const auto& provider : catalog_->providers()) {
    if (!provider.wire) continue;
    for (const auto& model : provider.embedding_models)
      if (name == model) return ModelTarget{&provider, std::string(name), std::string(name)};
  }
  for (const auto& provider : catalog_->providers()) {
    if (!provider.wire) continue;
    for (const auto& prefix : provider.model_prefixes)
      if (name.starts_with(prefix)) return ModelTarget{&provider, std::string(name), std::string(name)};
  }
  return core::Error::invalid_request("no provider serves model '" + std::string(name) +
                                      "': name it as provider/model (e.g. openrouter/" + std::string(name) + ")");
}

core::Result<void> ModelResolver::check_aliases() const {
  for (const auto& [name, chain] : aliases_)
    for (const auto& target : chain)
      if (auto resolved = resolve(target); !resolved)
        return core::Error::invalid_request("alias '" + name + "': " + resolved.error().message);
  return core::ok();
}

core::Result<std::vector<ModelTarget>> ModelResolver::resolve_chain(const std::vector<std::string>& names) const {
  std::vector<ModelTarget> chain;
  std::set<std::pair<std::string, std::string>> seen;
  auto add = [&](std::string_view name) -> core::Result<void> {
    auto target = resolve(name);
    if (!target) return target.error();
    if (seen.emplace(target->provider->id, target->model).second) chain.push_back(std::move(*target));
    return core::ok();
  };
  for (const auto& name : names) {
    if (auto alias = aliases_.find(name); alias != aliases_.end()) {
      for (const auto& target : alias->second)
        if (auto added = add(target); !added) return added.error();
    } else if (auto added = add(name); !added) {
      return added.error();
    }
  }
  return chain;
}

}  // namespace keyrelay::gateway
