#pragma once
// Which provider serves a model name, and under which name the provider knows it (API.md "Model
// selection"): an operator alias (which may stand for a chain of models), "provider/model", or a
// bare model: one of a provider's catalog embedding models by its exact name, else matched by the
// catalog's model prefixes ("claude-" → anthropic). Immutable; thread-safe.

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "core/result.h"

namespace keyrelay::gateway {

struct ModelTarget {
  const catalog::Provider* provider = nullptr;  // has a chat wire
  std::string model;                            // the provider's own name for it
  std::string requested;                        // as the client (or the alias) wrote it
};

using ModelAliases = std::map<std::string, std::vector<std::string>, std::less<>>;

// Parses the operator's alias setting: "name=provider/model|provider/model; other=provider/model".
// invalid_request naming the entry for an empty name or chain, a duplicate name, or a target that
// is itself an alias (no recursion).
core::Result<ModelAliases> parse_model_aliases(std::string_view text);

class ModelResolver {
 public:
  ModelResolver(std::shared_ptr<const catalog::Catalog> catalog, ModelAliases aliases);

  // One model name, no alias expansion. invalid_request naming the model when no chat provider
  // serves it (unknown provider, a service provider, no matching prefix).
  core::Result<ModelTarget> resolve(std::string_view name) const;

  // The whole fallback chain: each name in order, aliases expanded in place, duplicates dropped.
  core::Result<std::vector<ModelTarget>> resolve_chain(const std::vector<std::string>& names) const;

  // Every alias target resolves (checked once at start: a typo is an operator error).
  core::Result<void> check_aliases() const;

  const catalog::Catalog& catalog() const noexcept { return *catalog_; }

 private:
  std::shared_ptr<const catalog::Catalog> catalog_;
  ModelAliases aliases_;
};

}  // namespace keyrelay::gateway
