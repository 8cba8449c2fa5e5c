#include "providers.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <boost/json.hpp>

namespace keyrelay::mock {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// Which family of answers a provider gives.
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

enum class AuthIn { bearer_header, plain_header, query };

struct Provider {
  std::string_view id;
  Style style;
  AuthIn auth_in;
  std::string_view auth_name;     // header or query parameter name
  std::string_view method;        // of the validate call
  std::string_view path;          // of the validate call, after "/<id>", without the query
  std::string_view alt_query_key; // also accepted in the query (Gemini's ?key=), or empty
};

// Mirrors catalog.json: auth and validate of each provider.
constexpr std::array<Provider, 16> kProviders = {{
    {"openai", Style::openai, AuthIn::bearer_header, "Authorization", "GET", "/models", ""},
    {"anthropic", Style::anthropic, AuthIn::plain_header, "x-api-key", "GET", "/v1/models", ""},
    {"gemini", Style::gemini, AuthIn::plain_header, "x-goog-api-key", "GET", "/v1beta/models", "key"},
    {"perplexity", Style::perplexity, AuthIn::bearer_header, "Authorization", "POST", "/chat/completions", ""},
    {"kimi", Style::kimi, AuthIn::bearer_header, "Authorization", "GET", "/models", ""},
    {"kimi-cn", Style::kimi, AuthIn::bearer_header, "Authorization", "GET", "/models", ""},
    {"google-maps", Style::google_maps, AuthIn::query, "key", "GET", "/maps/api/geocode/json", ""},
    {"openweathermap", Style::openweathermap, AuthIn::query, "appid", "GET", "/data/2.5/weather", ""},
    {"duffel", Style::duffel, AuthIn::bearer_header, "Authorization", "GET", "/air/airlines", ""},
    {"firecrawl", Style::firecrawl, AuthIn::bearer_header, "Authorization", "GET", "/v2/team/credit-usage", ""},
    {"groq", Style::openai, AuthIn::bearer_header, "Authorization", "GET", "/models", ""},
    {"mistral", Style::openai, AuthIn::bearer_header, "Authorization", "GET", "/models", ""},
    {"deepseek", Style::openai, AuthIn::bearer_header, "Authorization", "GET", "/models", ""},
    {"xai", Style::openai, AuthIn::bearer_header, "Authorization", "GET", "/models", ""},
    {"openrouter", Style::openai, AuthIn::bearer_header, "Authorization", "GET", "/key", ""},
    {"together", Style::openai, AuthIn::bearer_header, "Authorization", "GET", "/models", ""},
}};

constexpr auto kSlowDelay = 3s;
constexpr std::string_view kRetryAfter = "7";

bool iequals_ascii(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Answer json_answer(int status, const json::value& body, HeaderFields extra = {}) {
  Answer a;
  a.status = status;
  a.headers.emplace_back("Content-Type", "application/json");
  for (auto& field : extra) a.headers.push_back(std::move(field));
  a.body = json::serialize(body);
  return a;
}

Answer not_found(const Incoming& in) {
  return json_answer(404, {{"error",
                            {{"message", "mock provider: no route for " + in.method + " " + in.path},
                             {"type", "not_found"}}}});
}

// Like the providers themselves show it: a few characters from each end.
std::string masked(std::string_view key) {
  if (key.size() <= 8) return "***";
  return std::string(key.substr(0, 3)) + "*****" + std::string(key.substr(key.size() - 4));
}

// ---- valid ----------------------------------------------------------------------------------

std::string_view openai_model_for(std::string_view id) {
  if (id == "groq") return "llama-3.1-8b-instant";
  if (id == "mistral") return "mistral-small-latest";
  if (id == "deepseek") return "deepseek-chat";
  if (id == "xai") return "grok-3-mini";
  if (id == "together") return "meta-llama/Llama-3.3-70B-Instruct-Turbo";
  if (id == "kimi") return "kimi-k2-0711-preview";
  if (id == "kimi-cn") return "moonshot-v1-8k";
  return "gpt-4o-mini";
}

Answer valid_answer(const Provider& p) {
  switch (p.style) {
    case Style::openai:
    case Style::kimi:
      if (p.id == "openrouter") {
        return json_answer(200, {{"data",
                                  {{"label", "sk-or-v1-mock"},
                                   {"usage", 0},
                                   {"limit", nullptr},
                                   {"is_free_tier", false},
                                   {"rate_limit", {{"requests", 10}, {"interval", "10s"}}}}}});
      }
      return json_answer(200, {{"object", "list"},
                               {"data", json::array{{{"id", openai_model_for(p.id)},
                                                     {"object", "model"},
                                                     {"created", 1700000000},
                                                     {"owned_by", "system"}}}}});
    case Style::anthropic:
      return json_answer(200,
                         {{"data", json::array{{{"type", "model"},
                                                {"id", "claude-3-5-haiku-20241022"},
                                                {"display_name", "Claude Haiku 3.5"},
                                                {"created_at", "2024-10-22T00:00:00Z"}}}},
                          {"has_more", false},
                          {"first_id", "claude-3-5-haiku-20241022"},
                          {"last_id", "claude-3-5-haiku-20241022"}},
                         {{"request-id", "req_mock0001"}});
    case Style::gemini:
      return json_answer(200, {{"models", json::array{{{"name", "models/gemini-2.0-flash"},
                                                       {"displayName", "Gemini 2.0 Flash"},
                                                       {"inputTokenLimit", 1048576},
                                                       {"outputTokenLimit", 8192}}}},
                               {"nextPageToken", "mock-next-page"}});
    case Style::perplexity:
      return json_answer(200, {{"id", "mock-chat-0001"},
                               {"model", "sonar"},
                               {"object", "chat.completion"},
                               {"created", 1700000000},
                               {"choices", json::array{{{"index", 0},
                                                        {"finish_reason", "length"},
                                                        {"message", {{"role", "assistant"}, {"content", "p"}}}}}},
                               {"usage", {{"prompt_tokens", 1}, {"completion_tokens", 1}, {"total_tokens", 2}}},
                               {"citations", json::array{}}});
    case Style::google_maps:
      return json_answer(200, {{"results", json::array{{{"formatted_address", "Sydney NSW, Australia"},
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
      return json_answer(200, {{"data", json::array{{{"id", "arl_00009VME7DBKeMags5CliQ"},
                                                     {"name", "British Airways"},
                                                     {"iata_code", "BA"}}}},
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

// ---- invalid (also: key missing) ------------------------------------------------------------

Answer invalid_answer(const Provider& p, std::string_view key) {
  const bool missing = key.empty();
  switch (p.style) {
    case Style::openai:
      return json_answer(
          401, {{"error", {{"message", missing ? std::string("You didn't provide an API key.")
                                               : "Incorrect API key provided: " + masked(key) + "."},
                           {"type", "invalid_request_error"},
                           {"param", nullptr},
                           {"code", "invalid_api_key"}}}});
    case Style::anthropic:
      return json_answer(401,
                         {{"type", "error"},
                          {"error", {{"type", "authentication_error"},
                                     {"message", missing ? "x-api-key header is required" : "invalid x-api-key"}}},
                          {"request_id", "req_mock0002"}},
                         {{"request-id", "req_mock0002"}});
    case Style::gemini:
      return json_answer(
          400, {{"error", {{"code", 400},
                           {"message", "API key not valid. Please pass a valid API key."},
                           {"status", "INVALID_ARGUMENT"},
                           {"details", json::array{{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                                                    {"reason", "API_KEY_INVALID"},
                                                    {"domain", "googleapis.com"},
                                                    {"metadata", {{"service", "generativelanguage.googleapis.com"}}}}}}}}});
    case Style::perplexity: {
      Answer a;
      a.status = 401;
      a.headers.emplace_back("Content-Type", "text/html");
      a.body =
          "<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n"
          "<center><h1>401 Authorization Required</h1></center>\r\n<hr><center>openresty/1.25.3.1</center>\r\n"
          "</body>\r\n</html>\r\n";
      return a;
    }
    case Style::kimi:
      return json_answer(401, {{"error", {{"message", "Invalid Authentication"},
                                          {"type", "invalid_authentication_error"}}}});
    case Style::google_maps:
      return json_answer(200, {{"error_message", missing ? "You must use an API key to authenticate each request "
                                                           "to Google Maps Platform APIs."
                                                         : "The provided API key is invalid."},
                               {"results", json::array{}},
                               {"status", "REQUEST_DENIED"}});
    case Style::openweathermap:
      return json_answer(401, {{"cod", 401},
                               {"message", "Invalid API key. Please see https://openweathermap.org/faq#error401 "
                                           "for more info."}});
    case Style::duffel:
      return json_answer(401, {{"errors", json::array{{{"type", "authentication_error"},
                                                       {"title", "Unauthorized"},
                                                       {"code", missing ? "missing_authorization_header"
                                                                        : "invalid_authorization_header"},
                                                       {"message", "An access token wasn't provided, or the "
                                                                   "provided token was invalid."},
                                                       {"documentation_url", "https://duffel.com/docs/api/overview/errors"}}}},
                               {"meta", {{"status", 401}, {"request_id", "FmockDuffel0001"}}}});
    case Style::firecrawl:
      return json_answer(401, {{"success", false}, {"error", "Unauthorized: Invalid token"}});
  }
  return json_answer(401, json::object{});
}

// ---- limited --------------------------------------------------------------------------------

Answer limited_answer(const Provider& p) {
  const HeaderFields retry = {{"Retry-After", std::string(kRetryAfter)}};
  switch (p.style) {
    case Style::openai: {
      HeaderFields headers = retry;
      headers.emplace_back("x-ratelimit-limit-requests", "3");
      headers.emplace_back("x-ratelimit-remaining-requests", "0");
      headers.emplace_back("x-ratelimit-reset-requests", "7s");
      return json_answer(429,
                         {{"error", {{"message", "Rate limit reached for requests per min (RPM): Limit 3, Used 3, "
                                                 "Requested 1. Please try again in 7s."},
                                     {"type", "requests"},
                                     {"param", nullptr},
                                     {"code", "rate_limit_exceeded"}}}},
                         std::move(headers));
    }
    case Style::anthropic: {
      HeaderFields headers = retry;
      headers.emplace_back("request-id", "req_mock0003");
      headers.emplace_back("anthropic-ratelimit-requests-remaining", "0");
      return json_answer(429,
                         {{"type", "error"},
                          {"error", {{"type", "rate_limit_error"},
                                     {"message", "Number of requests has exceeded your per-minute rate limit."}}},
                          {"request_id", "req_mock0003"}},
                         std::move(headers));
    }
    case Style::gemini:
      return json_answer(429,
                         {{"error", {{"code", 429},
                                     {"message", "Resource has been exhausted (e.g. check quota)."},
                                     {"status", "RESOURCE_EXHAUSTED"},
                                     {"details", json::array{{{"@type", "type.googleapis.com/google.rpc.RetryInfo"},
                                                              {"retryDelay", "7s"}}}}}}},
                         retry);
    case Style::perplexity:
      return json_answer(429, {{"error", {{"message", "Rate limit exceeded. Please try again later."},
                                          {"type", "rate_limit_exceeded"},
                                          {"code", 429}}}},
                         retry);
    case Style::kimi:
      return json_answer(429, {{"error", {{"message", "Your account org-mock request reached organization max RPM: 3, "
                                                      "please try again after 7 seconds"},
                                          {"type", "rate_limit_reached_error"}}}},
                         retry);
    case Style::google_maps:
      return json_answer(200, {{"error_message", "You have exceeded your rate-limit for this API."},
                               {"results", json::array{}},
                               {"status", "OVER_QUERY_LIMIT"}},
                         retry);
    case Style::openweathermap:
      return json_answer(429, {{"cod", 429},
                               {"message", "Your account is temporary blocked due to exceeding of requests "
                                           "limitation of your subscription type. Please choose the proper "
                                           "subscription https://openweathermap.org/price"}},
                         retry);
    case Style::duffel: {
      HeaderFields headers = retry;
      headers.emplace_back("ratelimit-limit", "60");
      headers.emplace_back("ratelimit-remaining", "0");
      headers.emplace_back("ratelimit-reset", "Mon, 01 Jan 2035 00:00:07 GMT");
      return json_answer(429, {{"errors", json::array{{{"type", "rate_limit_error"},
                                                       {"title", "Rate limit exceeded"},
                                                       {"code", "rate_limit_exceeded"},
                                                       {"message", "You have exceeded the rate limit."}}}},
                               {"meta", {{"status", 429}, {"request_id", "FmockDuffel0002"}}}},
                         std::move(headers));
    }
    case Style::firecrawl:
      return json_answer(429, {{"success", false},
                               {"error", "Rate limit exceeded. Consumed (req/min): 11, Remaining (req/min): 0. "
                                         "Please retry after 7s."}},
                         retry);
  }
  return json_answer(429, json::object{}, retry);
}

// ---- quota (out of credit) ------------------------------------------------------------------

Answer quota_answer(const Provider& p) {
  const std::string_view quota_message =
      "You exceeded your current quota, please check your plan and billing details.";
  switch (p.style) {
    case Style::openai:
    case Style::perplexity:
      return json_answer(429, {{"error", {{"message", quota_message},
                                          {"type", "insufficient_quota"},
                                          {"param", nullptr},
                                          {"code", "insufficient_quota"}}}});
    case Style::anthropic:
      return json_answer(402,
                         {{"type", "error"},
                          {"error", {{"type", "billing_error"},
                                     {"message", "Your credit balance is too low to access the Anthropic API. "
                                                 "Please go to Plans & Billing to upgrade or purchase credits."}}},
                          {"request_id", "req_mock0004"}},
                         {{"request-id", "req_mock0004"}});
    case Style::gemini:
      return json_answer(
          429, {{"error", {{"code", 429},
                           {"message", quota_message},
                           {"status", "RESOURCE_EXHAUSTED"},
                           {"details", json::array{{{"@type", "type.googleapis.com/google.rpc.QuotaFailure"},
                                                    {"violations", json::array{{{"quotaId", "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}}}}}}}}}});
    case Style::kimi:
      return json_answer(403, {{"error", {{"message", "Your account org-mock is suspended due to insufficient "
                                                      "balance, please recharge your account"},
                                          {"type", "exceeded_current_quota_error"}}}});
    case Style::google_maps:
      return json_answer(200, {{"error_message", "You have exceeded your daily request quota for this API."},
                               {"results", json::array{}},
                               {"status", "OVER_DAILY_LIMIT"}});
    case Style::openweathermap:
      return json_answer(429, {{"cod", 429}, {"message", quota_message}});
    case Style::duffel:
      return json_answer(429, {{"errors", json::array{{{"type", "rate_limit_error"},
                                                       {"title", "Quota exceeded"},
                                                       {"code", "insufficient_quota"},
                                                       {"message", quota_message}}}},
                               {"meta", {{"status", 429}, {"request_id", "FmockDuffel0003"}}}});
    case Style::firecrawl:
      return json_answer(402, {{"success", false},
                               {"error", "Payment required to access this resource: insufficient credits."}});
  }
  return json_answer(429, json::object{});
}

// ---- error ----------------------------------------------------------------------------------

Answer error_answer(const Provider& p) {
  switch (p.style) {
    case Style::anthropic:
      return json_answer(500, {{"type", "error"},
                               {"error", {{"type", "api_error"}, {"message", "Internal server error"}}},
                               {"request_id", "req_mock0005"}});
    case Style::gemini:
      return json_answer(500, {{"error", {{"code", 500},
                                          {"message", "An internal error has occurred. Please retry."},
                                          {"status", "INTERNAL"}}}});
    case Style::openweathermap:
      return json_answer(500, {{"cod", 500}, {"message", "Internal error"}});
    case Style::duffel:
      return json_answer(500, {{"errors", json::array{{{"type", "api_error"},
                                                       {"title", "Internal server error"},
                                                       {"code", "internal_server_error"},
                                                       {"message", "An internal server error occurred."}}}}});
    case Style::firecrawl:
      return json_answer(500, {{"success", false}, {"error", "An unexpected error occurred."}});
    default:
      return json_answer(500, {{"error", {{"message", "The server had an error while processing your request."},
                                          {"type", "server_error"},
                                          {"param", nullptr},
                                          {"code", nullptr}}}});
  }
}

// The key where `p` expects it; "" when it is not there.
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

}  // namespace

std::optional<std::string_view> find_header(const HeaderFields& headers, std::string_view name) {
  for (const auto& [n, v] : headers)
    if (iequals_ascii(n, name)) return std::string_view(v);
  return std::nullopt;
}

std::string percent_decode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = pair.find('=');
    if (percent_decode(pair.substr(0, eq)) != name) continue;
    return eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
  }
  return std::nullopt;
}

std::string_view behaviour_of(std::string_view key) {
  const auto dash = key.rfind('-');
  return dash == std::string_view::npos ? key : key.substr(dash + 1);
}

std::string describe_request(const Incoming& in) {
  json::object headers;
  for (const auto& [name, value] : in.headers) {
    const std::string key = lower(name);
    if (auto* existing = headers.if_contains(key)) {
      std::string joined(existing->as_string());
      *existing = joined + ", " + value;
    } else {
      headers[key] = value;
    }
  }
  json::object params;
  for (std::string_view q = in.query; !q.empty();) {
    const auto amp = q.find('&');
    const std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    const auto eq = pair.find('=');
    params[percent_decode(pair.substr(0, eq))] =
        eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
  }
  return json::serialize(json::object{{"method", in.method},
                                      {"target", in.target},
                                      {"path", in.path},
                                      {"query", in.query},
                                      {"query_params", std::move(params)},
                                      {"headers", std::move(headers)},
                                      {"body", in.body}});
}

Answer answer_provider_request(const Incoming& in) {
  // "/<id>/<rest>"
  std::string_view path = in.path;
  if (path.size() < 2 || path[0] != '/') return not_found(in);
  const auto slash = path.find('/', 1);
  if (slash == std::string_view::npos) return not_found(in);
  const std::string_view id = path.substr(1, slash - 1);
  const std::string_view rest = path.substr(slash);

  const auto it = std::find_if(kProviders.begin(), kProviders.end(), [&](const Provider& p) { return p.id == id; });
  if (it == kProviders.end() || it->path != rest) return not_found(in);
  const Provider& p = *it;
  if (in.method != p.method) {
    Answer a = json_answer(405, {{"error", {{"message", "mock provider: " + in.method + " not allowed on " + in.path},
                                            {"type", "method_not_allowed"}}}});
    a.headers.emplace_back("Allow", std::string(p.method));
    return a;
  }

  const std::string key = extract_key(p, in);
  if (key.empty()) return invalid_answer(p, key);
  const std::string_view behaviour = behaviour_of(key);
  if (behaviour == "invalid") return invalid_answer(p, key);
  if (behaviour == "limited") return limited_answer(p);
  if (behaviour == "quota") return quota_answer(p);
  if (behaviour == "error") return error_answer(p);
  if (behaviour == "reset") {
    Answer a;
    a.reset = true;
    return a;
  }
  if (behaviour == "echo") {
    Answer a;
    a.headers.emplace_back("Content-Type", "application/json");
    a.body = describe_request(in);
    return a;
  }
  Answer a = valid_answer(p);
  if (behaviour == "slow") a.delay = kSlowDelay;
  return a;
}

}  // namespace keyrelay::mock
