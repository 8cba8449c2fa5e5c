#pragma once
// One entry per catalog provider: which family of answers it gives, which chat wire it speaks,
// where its key goes and which call validates it. Mirrors src/catalog/catalog.json.

#include <string>
#include <string_view>

#include "request.h"

namespace keyrelay::mock {

// Which family of answers (error shapes, quirks) a provider gives.
enum class Style {
  openai,      // OpenAI and the OpenAI-compatible others
  anthropic,
  gemini,
  perplexity,  // OpenAI-compatible, but its 401 is an openresty HTML page
  kimi,        // OpenAI-compatible, own error types; 403 = insufficient balance
  google_maps,
  openweathermap,
  duffel,
  firecrawl,
};

// The chat wire of an LLM provider (catalog "wire"); none for service providers.
enum class Wire { none, openai, anthropic, gemini };

enum class AuthIn { bearer_header, plain_header, query };

struct Provider {
  std::string_view id;
  Style style;
  Wire wire;
  AuthIn auth_in;
  std::string_view auth_name;      // header or query parameter name
  std::string_view method;         // of the validate call
  std::string_view path;           // of the validate call, after "/<id>", without the query
  std::string_view alt_query_key;  // also accepted in the query (Gemini's ?key=), or empty
};

// The entry of `id`; nullptr when the catalog has no such provider.
const Provider* find_provider(std::string_view id);

// The key where `p` expects it (a Bearer header's token without "Bearer "); "" when it is not
// there.
std::string extract_key(const Provider& p, const Incoming& in);

}  // namespace keyrelay::mock
