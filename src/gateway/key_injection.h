#pragma once
// Puts a provider key where that provider wants it (catalog `auth`): a header with the provider's
// format ("Authorization: Bearer {key}") or a percent-encoded query parameter ("?key=…"). Every
// intermediate copy is wiped; the caller's request carries the key and is wiped by the upstream
// client after sending.

#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "http/headers.h"

namespace keyrelay::gateway {

// Replaces any field named like the provider's auth header, or appends the query parameter to
// `url` (after removing one of that name the URL already had).
void inject_key(const catalog::Provider& provider, std::string_view key, http::Headers& headers, std::string& url);

}  // namespace keyrelay::gateway
