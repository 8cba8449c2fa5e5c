#pragma once
// The provider ids the mock serves, the same as the catalog's (docs/providers catalog.json). Shared
// by the mock executable and the test harness, so a provider added here is configured everywhere.
// Header-only and free of Boost, so kr_test_support can include it.

#include <array>
#include <string_view>

namespace keyrelay::mock {

inline constexpr std::array<std::string_view, 16> kProviderIds = {
    "openai",      "anthropic",      "gemini", "perplexity", "kimi",    "kimi-cn",
    "google-maps", "openweathermap", "duffel", "firecrawl",  "groq",    "mistral",
    "deepseek",    "xai",            "openrouter", "together"};

}  // namespace keyrelay::mock
