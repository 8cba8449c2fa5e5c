#include "auth/reveal_grant.h"

#include <algorithm>

namespace keyrelay::auth {
namespace {

constexpr std::string_view kGrantPrefix = "keys:reveal:";

bool is_provider_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
         });
}

core::Result<void> check_pairing(const ScopeSet& scopes, const std::vector<std::string>& providers) {
  if (scopes.contains(Scope::keys_reveal) && providers.empty())
    return core::Error::invalid_request("the 'keys:reveal' scope needs the providers whose keys it may reveal");
  if (!scopes.contains(Scope::keys_reveal) && !providers.empty())
    return core::Error::invalid_request("reveal providers are only for a token with the 'keys:reveal' scope");
  return core::ok();
}

void sort_unique(std::vector<std::string>& names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
}

}  // namespace

std::string reveal_grant_entry(std::string_view provider) { return std::string(kGrantPrefix) + std::string(provider); }

core::Result<TokenGrants> parse_token_grants(const std::vector<std::string>& stored) {
  TokenGrants grants;
  std::vector<std::string> scope_names;
  for (const auto& entry : stored) {
    if (entry == kSessionMarker) {
      grants.session = true;
      continue;
    }
    if (!entry.starts_with(kGrantPrefix)) {
      scope_names.push_back(entry);
      continue;
    }
    const std::string_view provider = std::string_view(entry).substr(kGrantPrefix.size());
    if (!is_provider_name(provider)) return core::Error::invalid_request("malformed reveal grant");
    grants.reveal_providers.emplace_back(provider);
  }
  auto scopes = ScopeSet::from_strings(scope_names);
  if (!scopes) return scopes.error();
  grants.scopes = *scopes;
  sort_unique(grants.reveal_providers);
  if (auto ok = check_pairing(grants.scopes, grants.reveal_providers); !ok) return ok.error();
  return grants;
}

core::Result<std::vector<std::string>> store_token_grants(ScopeSet scopes, std::vector<std::string> reveal_providers) {
  for (const auto& p : reveal_providers) {
    if (!is_provider_name(p)) {
      return core::Error::invalid_request("reveal provider '" + p.substr(0, 64) +
                                          "' is not a provider name ([a-z0-9_-], at most 64)");
    }
  }
  sort_unique(reveal_providers);
  if (auto ok = check_pairing(scopes, reveal_providers); !ok) return ok.error();
  std::vector<std::string> stored = scopes.to_strings();
  for (const auto& p : reveal_providers) stored.push_back(reveal_grant_entry(p));
  return stored;
}

}  // namespace keyrelay::auth
