#pragma once
// PriceTable: what a model costs at a provider — the catalog's prices with the operator's prices
// file (KEYRELAY_PRICES_FILE) laid over them. Immutable once built; safe to share between threads
// (as std::shared_ptr<const PriceTable>).
//
// Which entry prices a model (the "most specific wins" rule):
//   1. an entry whose model is exactly the model id;
//   2. else the family pattern ("prefix*") with the longest prefix the model id starts with
//      ("claude-sonnet-4-5*" beats "claude-sonnet-4*", which beats "*");
//   3. else none: the model is unpriced.
// Model ids compare case-sensitively, as the providers spell them.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/model_price.h"
#include "core/result.h"

namespace keyrelay::catalog {

class PriceTable {
 public:
  PriceTable() = default;
  // The prices of every provider of `catalog` (its built-in and operator providers alike).
  static PriceTable of(const Catalog& catalog);

  // A copy with the operator's entries laid over: an entry replaces the entry of the same provider
  // and model pattern, or is added. invalid_request naming the provider when it is not in
  // `catalog` (a misspelt id would otherwise change nothing).
  core::Result<PriceTable> with_overrides(const Catalog& catalog, const std::vector<ProviderPrices>& overrides) const;

  // The entry pricing `model` at `provider` by the rule above; nullptr when the model is unpriced.
  // The pointer stays valid as long as the table.
  const ModelPrice* find(std::string_view provider, std::string_view model) const noexcept;

  // Every entry of `provider` (empty when it has none), in file order.
  const std::vector<ModelPrice>& prices_of(std::string_view provider) const noexcept;

 private:
  std::map<std::string, std::vector<ModelPrice>, std::less<>> by_provider_;
};

}  // namespace keyrelay::catalog
