#include "catalog/price_table.h"

namespace keyrelay::catalog {

PriceTable PriceTable::of(const Catalog& catalog) {
  PriceTable table;
  for (const auto& provider : catalog.providers())
    if (!provider.prices.empty()) table.by_provider_[provider.id] = provider.prices;
  return table;
}

core::Result<PriceTable> PriceTable::with_overrides(const Catalog& catalog,
                                                    const std::vector<ProviderPrices>& overrides) const {
  PriceTable copy = *this;
  for (const auto& provider : overrides) {
    if (catalog.find(provider.provider) == nullptr)
      return core::Error::invalid_request("provider '" + provider.provider + "' is not in the catalog");
    auto& entries = copy.by_provider_[provider.provider];
    for (const auto& price : provider.prices) {
      bool replaced = false;
      for (auto& existing : entries)
        if (existing.model == price.model) {
          existing = price;
          replaced = true;
        }
      if (!replaced) entries.push_back(price);
    }
  }
  return copy;
}

const ModelPrice* PriceTable::find(std::string_view provider, std::string_view model) const noexcept {
  const auto it = by_provider_.find(provider);
  if (it == by_provider_.end() || model.empty()) return nullptr;
  const ModelPrice* best = nullptr;
  std::size_t best_prefix = 0;
  for (const auto& price : it->second) {
    const std::string_view pattern = price.model;
    if (!pattern.ends_with('*')) {
      if (pattern == model) return &price;  // exact beats every pattern
      continue;
    }
    const std::string_view prefix = pattern.substr(0, pattern.size() - 1);
    if (model.starts_with(prefix) && (best == nullptr || prefix.size() > best_prefix)) {
      best = &price;
      best_prefix = prefix.size();
    }
  }
  return best;
}

const std::vector<ModelPrice>& PriceTable::prices_of(std::string_view provider) const noexcept {
  static const std::vector<ModelPrice> kNone;
  const auto it = by_provider_.find(provider);
  return it == by_provider_.end() ? kNone : it->second;
}

}  // namespace keyrelay::catalog
