#pragma once
// The provider catalog a command works with: the built-in one, the operator's catalog file and the
// provider base URLs of the configuration, exactly as `serve` builds it, so a command accepts the
// providers the servers know (keyrelay import checks each row's provider against it).

#include <memory>

#include "catalog/catalog.h"
#include "config/config.h"
#include "core/result.h"

namespace keyrelay::cli {

// The built-in catalog, the operator's catalog file, and the provider base URLs from the
// configuration (which the provider variables of the environment complete: `config` changes).
// invalid_request naming the file or variable at fault.
core::Result<std::shared_ptr<const catalog::Catalog>> load_catalog(config::Config& config);

}  // namespace keyrelay::cli
