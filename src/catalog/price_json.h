#pragma once
// Reading a "prices" array (catalog.json and the operator's prices file share the entry format).

#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "catalog/model_price.h"

namespace keyrelay::catalog {

// `prices` must be an array of price entries; `where` names its owner in errors ("provider 'openai'").
core::Result<std::vector<ModelPrice>> parse_model_prices(const boost::json::value& prices, std::string_view where);

}  // namespace keyrelay::catalog
