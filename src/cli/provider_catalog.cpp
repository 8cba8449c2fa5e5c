#include "cli/provider_catalog.h"

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "logging/log.h"

namespace keyrelay::cli {

core::Result<std::shared_ptr<const catalog::Catalog>> load_catalog(config::Config& config) {
  auto catalog_result = catalog::Catalog::builtin();
  if (!catalog_result) return catalog_result.error();
  if (const auto& file = config.catalog_file) {
    std::ifstream in(*file);
    if (!in) return core::Error::invalid_request("KEYRELAY_CATALOG_FILE: cannot read " + file->string());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto extra = catalog::Catalog::parse(text);
    if (!extra)
      return core::Error::invalid_request("KEYRELAY_CATALOG_FILE " + file->string() + ": " + extra.error().message);
    catalog_result = catalog_result->with_providers(*extra);
    for (const auto& p : extra->providers()) logging::info("operator provider", {{"provider", p.id}, {"base_url", p.base_url}});
  }
  // Only the operator chooses where a provider lives: the file's [provider.<id>] and the environment.
  std::vector<std::string> provider_ids;
  for (const auto& p : catalog_result->providers()) provider_ids.push_back(p.id);
  for (const auto& name : config::unknown_provider_variables(config::environment_names(), provider_ids))
    logging::warn("unknown environment variable ignored: no such provider", {{"variable", name}});
  if (auto r = config::apply_provider_env(config, provider_ids, config::process_environment()); !r) return r.error();
  for (const auto& [id, url] : config.provider_base_urls) {
    auto overridden = catalog_result->with_base_url(id, url);
    if (!overridden) return overridden.error();
    catalog_result = std::move(overridden);
    logging::info("provider base URL overridden", {{"provider", id}, {"base_url", url}});
  }
  return std::make_shared<const catalog::Catalog>(std::move(*catalog_result));
}

}  // namespace keyrelay::cli
