// A provider's error answer in OpenAI's error vocabulary, and the OpenAI error body the gateway
// sends (API.md "Gateway error shape").

#include <boost/json/serialize.hpp>

#include "core/utf8.h"
#include "gateway/wire/chat_wire.h"
#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway {
namespace {

namespace json = boost::json;
using wire::string_field;

// OpenAI's type for an HTTP status, when the provider's body names none we know.
std::string type_of_status(int status) {
  switch (status) {
    case 400: return "invalid_request_error";
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 429: return "rate_limit_error";
    default: return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

// Anthropic {"type":"error","error":{"type","message"}}. Types OpenAI also has are kept; the others
// become api_error (server side) or invalid_request_error, with Anthropic's type as the code so a
// client can still tell them apart; billing_error is OpenAI's insufficient_quota.
void read_anthropic(const json::object& error, ProviderError& out) {
  const std::string_view type = string_field(error, "type");
  out.message = string_field(error, "message");
  if (type == "authentication_error" || type == "permission_error" || type == "not_found_error" ||
      type == "rate_limit_error" || type == "invalid_request_error") {
    out.type = type;
  } else if (type == "billing_error") {
    out.type = "insufficient_quota";
    out.code = "insufficient_quota";
  } else if (type == "overloaded_error" || type == "api_error" || type == "timeout_error") {
    out.type = "api_error";
    if (type != "api_error") out.code = type;
  } else if (type == "request_too_large") {
    out.type = "invalid_request_error";
    out.code = type;
  } else {
    out.type = type_of_status(out.status);
    out.code = type;
  }
}

std::string google_type(std::string_view status, int http_status) {
  if (status == "INVALID_ARGUMENT" || status == "FAILED_PRECONDITION" || status == "OUT_OF_RANGE")
    return "invalid_request_error";
  if (status == "UNAUTHENTICATED") return "authentication_error";
  if (status == "PERMISSION_DENIED") return "permission_error";
  if (status == "NOT_FOUND") return "not_found_error";
  if (status == "RESOURCE_EXHAUSTED") return "rate_limit_error";
  if (status == "INTERNAL" || status == "UNAVAILABLE" || status == "UNKNOWN" || status == "DEADLINE_EXCEEDED")
    return "api_error";
  return type_of_status(http_status);
}

// Google RPC {"error":{"code","message","status","details":[{"@type":…ErrorInfo,"reason"}]}}. The
// code is the ErrorInfo reason when there is one, else the RPC status. A bad key (reason
// API_KEY_INVALID, which Google answers with 400) is what OpenAI says for one: 401 invalid_api_key.
void read_google(const json::object& error, ProviderError& out) {
  out.message = string_field(error, "message");
  const std::string_view status = string_field(error, "status");
  out.type = google_type(status, out.status);
  out.code = status;
  if (const json::array* details = wire::array_field(error, "details")) {
    for (const auto& d : *details)
      if (const json::object* detail = d.if_object(); detail != nullptr && !string_field(*detail, "reason").empty()) {
        out.code = string_field(*detail, "reason");
        break;
      }
  }
  if (out.code == "API_KEY_INVALID") {
    out.status = 401;
    out.type = "authentication_error";
    out.code = "invalid_api_key";
  } else if (status == "RESOURCE_EXHAUSTED") {
    out.status = 429;
  }
}

// OpenAI {"error":{"message","type","param","code"}} (and the compatible providers' variants, whose
// code may be a number).
void read_openai(const json::object& error, ProviderError& out) {
  out.message = string_field(error, "message");
  out.type = string_field(error, "type");
  if (out.type.empty()) out.type = type_of_status(out.status);
  if (const json::value* code = wire::field(error, "code")) {
    if (code->is_string()) out.code = code->get_string();
    else if (const auto n = wire::integer_of(*code)) out.code = std::to_string(*n);
  }
}

}  // namespace

// The shape decides, not the wire: OpenAI-compatible fronts of other providers answer in their
// backend's shape as often as in OpenAI's.
ProviderError translate_error(catalog::Wire, int status, std::string_view body) {
  ProviderError out;
  out.status = status >= 400 && status <= 599 ? status : 502;
  const auto doc = wire::parse_json(body);
  const json::object* root = doc ? doc->if_object() : nullptr;
  const json::value* error = root != nullptr ? root->if_contains("error") : nullptr;
  if (error != nullptr && error->is_object()) {
    const json::object& e = error->get_object();
    if (string_field(*root, "type") == "error") read_anthropic(e, out);
    else if (!string_field(e, "status").empty()) read_google(e, out);
    else read_openai(e, out);
  } else if (error != nullptr && error->is_string()) {
    out.message = error->get_string();
  } else if (root != nullptr && !string_field(*root, "message").empty()) {
    out.message = string_field(*root, "message");
  }
  if (out.type.empty()) out.type = type_of_status(out.status);
  if (out.message.empty())
    out.message = "the provider answered HTTP " + std::to_string(status) + " without an error message we could read";
  return out;
}

std::string openai_error_body(std::string_view message, std::string_view type, std::string_view code,
                              std::string_view request_id) {
  // The message may quote client or provider bytes (a model name); the body stays UTF-8.
  json::object error{{"message", core::to_valid_utf8(message)}, {"type", type}, {"param", nullptr}};
  if (code.empty()) error["code"] = nullptr;
  else error["code"] = code;
  error["request_id"] = request_id;
  return json::serialize(json::object{{"error", std::move(error)}});
}

std::string stream_error_event(std::string_view message, std::string_view type, std::string_view code,
                               std::string_view request_id) {
  return "data: " + openai_error_body(message, type, code, request_id) + "\n\n";
}

}  // namespace keyrelay::gateway
