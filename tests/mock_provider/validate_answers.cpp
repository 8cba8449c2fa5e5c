#include "validate_answers.h"

#include <charconv>
#include <string>
#include <vector>

#include <boost/json.hpp>

namespace keyrelay::mock {
namespace {

namespace json = boost::json;

// The models each OpenAI-wire provider lists (the first is the one its examples use).
std::vector<std::string_view> openai_models_of(std::string_view id) {
  if (id == "groq") return {"llama-3.1-8b-instant", "llama-3.3-70b-versatile"};
  if (id == "mistral") return {"mistral-small-latest", "mistral-large-latest"};
  if (id == "deepseek") return {"deepseek-chat", "deepseek-reasoner"};
  if (id == "xai") return {"grok-3-mini", "grok-4"};
  if (id == "together") return {"meta-llama/Llama-3.3-70B-Instruct-Turbo"};
  if (id == "kimi") return {"kimi-k2-0711-preview", "moonshot-v1-8k"};
  if (id == "kimi-cn") return {"moonshot-v1-8k", "kimi-k2-0711-preview"};
  if (id == "perplexity") return {"sonar", "sonar-pro"};
  if (id == "openrouter") return {"openai/gpt-4o-mini", "anthropic/claude-3.5-haiku"};
  return {"gpt-4o-mini", "gpt-4.1-mini"};
}

constexpr std::string_view kAnthropicModels[] = {"claude-3-5-haiku-20241022", "claude-sonnet-4-5-20250929"};
constexpr std::string_view kGeminiModels[] = {"gemini-2.0-flash", "gemini-2.5-flash", "gemini-2.5-pro"};

Answer openai_models(const Provider& p) {
  json::array data;
  for (std::string_view model : openai_models_of(p.id))
    data.push_back({{"id", model}, {"object", "model"}, {"created", 1700000000}, {"owned_by", "system"}});
  return json_answer(200, {{"object", "list"}, {"data", std::move(data)}});
}

Answer anthropic_models() {
  json::array data;
  for (std::string_view model : kAnthropicModels)
    data.push_back({{"type", "model"}, {"id", model}, {"display_name", model}, {"created_at", "2024-10-22T00:00:00Z"}});
  return json_answer(200,
                     {{"data", std::move(data)},
                      {"has_more", false},
                      {"first_id", kAnthropicModels[0]},
                      {"last_id", std::end(kAnthropicModels)[-1]}},
                     {{"request-id", "req_mock0001"}});
}

// A number from the query, or `fallback` when absent or not a number.
std::size_t size_param(std::string_view query, std::string_view name, std::size_t fallback) {
  const auto text = query_param(query, name);
  if (!text) return fallback;
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  return ec == std::errc{} && end == text->data() + text->size() ? value : fallback;
}

// Honours pageSize and pageToken (the token is the index of the next model).
Answer gemini_models(const Incoming& in) {
  const std::size_t count = std::size(kGeminiModels);
  const std::size_t first = std::min(size_param(in.query, "pageToken", 0), count);
  const std::size_t size = std::max<std::size_t>(size_param(in.query, "pageSize", 50), 1);
  const std::size_t last = std::min(first + size, count);
  json::array models;
  for (std::size_t i = first; i < last; ++i) {
    models.push_back({{"name", "models/" + std::string(kGeminiModels[i])},
                      {"displayName", kGeminiModels[i]},
                      {"inputTokenLimit", 1048576},
                      {"outputTokenLimit", 8192},
                      {"supportedGenerationMethods", json::array{"generateContent", "countTokens"}}});
  }
  json::object body{{"models", std::move(models)}};
  if (last < count) body["nextPageToken"] = std::to_string(last);
  return json_answer(200, body);
}

}  // namespace

Answer list_models_answer(const Provider& p, const Incoming& in) {
  switch (p.wire) {
    case Wire::anthropic:
      return anthropic_models();
    case Wire::gemini:
      return gemini_models(in);
    case Wire::openai:
    case Wire::none:
      break;
  }
  return openai_models(p);
}

Answer validate_answer(const Provider& p, const Incoming& in) {
  switch (p.style) {
    case Style::openai:
    case Style::kimi:
    case Style::perplexity:
      if (p.id == "openrouter") {
        return json_answer(200, {{"data",
                                  {{"label", "sk-or-v1-mock"},
                                   {"usage", 0},
                                   {"limit", nullptr},
                                   {"is_free_tier", false},
                                   {"rate_limit", {{"requests", 10}, {"interval", "10s"}}}}}});
      }
      return list_models_answer(p, in);
    case Style::anthropic:
    case Style::gemini:
      return list_models_answer(p, in);
    case Style::google_maps:
      return json_answer(200,
                         {{"results", json::array{{{"formatted_address", "Sydney NSW, Australia"},
                                                   {"geometry", {{"location", {{"lat", -33.8688}, {"lng", 151.2093}}}}},
                                                   {"place_id", "ChIJP3Sa8ziYEmsRUKgyFmh9AQM"}}}},
                          {"status", "OK"}});
    case Style::openweathermap:
      return json_answer(200, {{"coord", {{"lon", -0.1257}, {"lat", 51.5085}}},
                               {"weather", json::array{{{"id", 800}, {"main", "Clear"}, {"description", "clear sky"}}}},
                               {"main", {{"temp", 288.15}}},
                               {"name", "London"},
                               {"cod", 200}});
    case Style::duffel:
      return json_answer(
          200, {{"data",
                 json::array{{{"id", "arl_00009VME7DBKeMags5CliQ"}, {"name", "British Airways"}, {"iata_code", "BA"}}}},
                {"meta", {{"limit", 1}, {"after", "g2wAAAACbQAAAAJCQW0AAAAaYXJs"}, {"before", nullptr}}}});
    case Style::firecrawl:
      return json_answer(200, {{"success", true},
                               {"data", {{"remainingCredits", 500},
                                         {"planCredits", 500},
                                         {"billingPeriodStart", "2025-01-01T00:00:00Z"},
                                         {"billingPeriodEnd", "2025-02-01T00:00:00Z"}}}});
  }
  return json_answer(200, json::object{});
}

}  // namespace keyrelay::mock
