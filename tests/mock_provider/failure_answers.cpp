#include "failure_answers.h"

#include <boost/json.hpp>

namespace keyrelay::mock {
namespace {

namespace json = boost::json;

// Like the providers themselves show it: a few characters from each end.
std::string masked(std::string_view key) {
  if (key.size() <= 8) return "***";
  return std::string(key.substr(0, 3)) + "*****" + std::string(key.substr(key.size() - 4));
}

}  // namespace

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

Answer limited_answer(const Provider& p, int retry_after_seconds) {
  const std::string seconds = std::to_string(retry_after_seconds);
  const HeaderFields retry = {{"Retry-After", seconds}};
  switch (p.style) {
    case Style::openai: {
      HeaderFields headers = retry;
      headers.emplace_back("x-ratelimit-limit-requests", "3");
      headers.emplace_back("x-ratelimit-remaining-requests", "0");
      headers.emplace_back("x-ratelimit-reset-requests", seconds + "s");
      return json_answer(429,
                         {{"error", {{"message", "Rate limit reached for requests per min (RPM): Limit 3, Used 3, "
                                                 "Requested 1. Please try again in " +
                                                 seconds + "s."},
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
                                                              {"retryDelay", seconds + "s"}}}}}}},
                         retry);
    case Style::perplexity:
      return json_answer(429, {{"error", {{"message", "Rate limit exceeded. Please try again later."},
                                          {"type", "rate_limit_exceeded"},
                                          {"code", 429}}}},
                         retry);
    case Style::kimi:
      return json_answer(429, {{"error", {{"message", "Your account org-mock request reached organization max RPM: 3, "
                                                      "please try again after " + seconds + " seconds"},
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
                                         "Please retry after " + seconds + "s."}},
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


// ---- overloaded -----------------------------------------------------------------------------

Answer overloaded_answer(const Provider& p) {
  const std::string_view busy = "The server is overloaded. Please try again later.";
  switch (p.style) {
    case Style::anthropic:
      return json_answer(529, anthropic_overloaded_error(), {{"request-id", "req_mock0006"}});
    case Style::gemini:
      return json_answer(503, {{"error", {{"code", 503},
                                          {"message", "The model is overloaded. Please try again later."},
                                          {"status", "UNAVAILABLE"}}}});
    case Style::kimi:
      return json_answer(503, {{"error", {{"message", busy}, {"type", "engine_overloaded_error"}}}});
    case Style::openweathermap:
      return json_answer(503, {{"cod", 503}, {"message", busy}});
    case Style::duffel:
      return json_answer(503, {{"errors", json::array{{{"type", "api_error"},
                                                       {"title", "Service unavailable"},
                                                       {"code", "service_unavailable"},
                                                       {"message", busy}}}}});
    case Style::firecrawl:
      return json_answer(503, {{"success", false}, {"error", busy}});
    default:
      return json_answer(503, {{"error", {{"message", busy},
                                          {"type", "server_error"},
                                          {"param", nullptr},
                                          {"code", nullptr}}}});
  }
}

json::object anthropic_overloaded_error() {
  return {{"type", "error"},
          {"error", {{"type", "overloaded_error"}, {"message", "Overloaded"}}},
          {"request_id", "req_mock0006"}};
}

// ---- bad request ----------------------------------------------------------------------------

Answer bad_request_answer(const Provider& p, std::string_view message, std::string_view param) {
  const json::value param_value = param.empty() ? json::value(nullptr) : json::value(json::string(param));
  switch (p.style) {
    case Style::anthropic:
      return json_answer(400,
                         {{"type", "error"},
                          {"error", {{"type", "invalid_request_error"}, {"message", message}}},
                          {"request_id", "req_mock0007"}},
                         {{"request-id", "req_mock0007"}});
    case Style::gemini:
      return json_answer(400, {{"error", {{"code", 400}, {"message", message}, {"status", "INVALID_ARGUMENT"}}}});
    case Style::kimi:
      return json_answer(400, {{"error", {{"message", message}, {"type", "invalid_request_error"}}}});
    default:
      return json_answer(400, {{"error", {{"message", message},
                                          {"type", "invalid_request_error"},
                                          {"param", param_value},
                                          {"code", nullptr}}}});
  }
}

Answer not_found_answer(const Incoming& in) {
  return json_answer(404, {{"error",
                            {{"message", "mock provider: no route for " + in.method + " " + in.path},
                             {"type", "not_found"}}}});
}

Answer method_not_allowed_answer(const Incoming& in, std::string_view allow) {
  Answer a = json_answer(405, {{"error", {{"message", "mock provider: " + in.method + " not allowed on " + in.path},
                                          {"type", "method_not_allowed"}}}});
  a.headers.emplace_back("Allow", std::string(allow));
  return a;
}

}  // namespace keyrelay::mock
