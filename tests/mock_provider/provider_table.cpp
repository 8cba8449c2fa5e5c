#include "provider_table.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "provider_ids.h"

namespace keyrelay::mock {
namespace {

constexpr auto kBearer = AuthIn::bearer_header;
constexpr auto kAuthorization = "Authorization";

constexpr std::array<Provider, 16> kProviders = {{
    {"openai", Style::openai, Wire::openai, kBearer, kAuthorization, "GET", "/models", ""},
    {"anthropic", Style::anthropic, Wire::anthropic, AuthIn::plain_header, "x-api-key", "GET", "/v1/models", ""},
    {"gemini", Style::gemini, Wire::gemini, AuthIn::plain_header, "x-goog-api-key", "GET", "/v1beta/models", "key"},
    {"perplexity", Style::perplexity, Wire::openai, kBearer, kAuthorization, "POST", "/chat/completions", ""},
    {"kimi", Style::kimi, Wire::openai, kBearer, kAuthorization, "GET", "/models", ""},
    {"kimi-cn", Style::kimi, Wire::openai, kBearer, kAuthorization, "GET", "/models", ""},
    {"google-maps", Style::google_maps, Wire::none, AuthIn::query, "key", "GET", "/maps/api/geocode/json", ""},
    {"openweathermap", Style::openweathermap, Wire::none, AuthIn::query, "appid", "GET", "/data/2.5/weather", ""},
    {"duffel", Style::duffel, Wire::none, kBearer, kAuthorization, "GET", "/air/airlines", ""},
    {"firecrawl", Style::firecrawl, Wire::none, kBearer, kAuthorization, "GET", "/v2/team/credit-usage", ""},
    {"groq", Style::openai, Wire::openai, kBearer, kAuthorization, "GET", "/models", ""},
    {"mistral", Style::openai, Wire::openai, kBearer, kAuthorization, "GET", "/models", ""},
    {"deepseek", Style::openai, Wire::openai, kBearer, kAuthorization, "GET", "/models", ""},
    {"xai", Style::openai, Wire::openai, kBearer, kAuthorization, "GET", "/models", ""},
    {"openrouter", Style::openai, Wire::openai, kBearer, kAuthorization, "GET", "/key", ""},
    {"together", Style::openai, Wire::openai, kBearer, kAuthorization, "GET", "/models", ""},
}};

// The table and provider_ids.h (which configures the tests) must name the same providers.
constexpr bool same_ids() {
  if (kProviders.size() != kProviderIds.size()) return false;
  for (std::size_t i = 0; i < kProviders.size(); ++i)
    if (kProviders[i].id != kProviderIds[i]) return false;
  return true;
}
static_assert(same_ids(), "provider_table.cpp and provider_ids.h disagree");

bool iequals_ascii(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

const Provider* find_provider(std::string_view id) {
  const auto it = std::find_if(kProviders.begin(), kProviders.end(), [&](const Provider& p) { return p.id == id; });
  return it == kProviders.end() ? nullptr : &*it;
}

std::string extract_key(const Provider& p, const Incoming& in) {
  if (p.auth_in == AuthIn::query) return query_param(in.query, p.auth_name).value_or("");
  if (auto value = find_header(in.headers, p.auth_name)) {
    if (p.auth_in == AuthIn::plain_header) return std::string(*value);
    constexpr std::string_view kScheme = "Bearer ";
    if (value->size() > kScheme.size() && iequals_ascii(value->substr(0, kScheme.size()), kScheme))
      return std::string(value->substr(kScheme.size()));
    return "";
  }
  if (!p.alt_query_key.empty()) return query_param(in.query, p.alt_query_key).value_or("");
  return "";
}

}  // namespace keyrelay::mock
