#include "gateway/key_injection.h"

#include "core/encoding.h"
#include "core/secret.h"

namespace keyrelay::gateway {
namespace {

// The provider's auth format with the key in place ("Bearer {key}" → "Bearer sk-…").
std::string formatted_key(const catalog::ProviderAuth& auth, std::string_view key) {
  const auto at = auth.format.find("{key}");
  std::string out;
  out.reserve(auth.format.size() - 5 + key.size());  // one block: no reallocation copies the key
  out.append(auth.format, 0, at);
  out.append(key);
  out.append(auth.format, at + 5);
  return out;
}

// `url` without any query parameter called `name` (a client must not smuggle its own key in).
void remove_query_param(std::string& url, std::string_view name) {
  const auto q = url.find('?');
  if (q == std::string::npos) return;
  std::string kept;
  std::string_view query = std::string_view(url).substr(q + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    const std::string_view part_name = part.substr(0, part.find('='));
    if (part_name != name && !part.empty()) {
      if (!kept.empty()) kept += '&';
      kept += part;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  url.resize(q);
  if (!kept.empty()) {
    url += '?';
    url += kept;
  }
}

}  // namespace

void inject_key(const catalog::Provider& provider, std::string_view key, http::Headers& headers, std::string& url) {
  std::string value = formatted_key(provider.auth, key);
  if (provider.auth.in == catalog::AuthPlacement::header) {
    headers.set(provider.auth.name, value);
    core::wipe_memory(value.data(), value.size());
    return;
  }
  remove_query_param(url, provider.auth.name);
  std::string encoded = core::percent_encode(value);
  // Appended piece by piece into room reserved first: no temporary "name=key" string, and no
  // reallocation of `url` leaves a copy of the key behind in freed memory.
  url.reserve(url.size() + 1 + provider.auth.name.size() + 1 + encoded.size());
  url += (url.find('?') == std::string::npos ? '?' : '&');
  url += provider.auth.name;
  url += '=';
  url += encoded;
  core::wipe_memory(encoded.data(), encoded.size());
  core::wipe_memory(value.data(), value.size());
}

}  // namespace keyrelay::gateway
