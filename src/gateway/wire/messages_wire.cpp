// The wire switch of /v1/messages (messages_wire.h) and Anthropic's error shapes.

#include "gateway/wire/messages_wire.h"

#include <boost/json/serialize.hpp>

#include "core/utf8.h"
#include "gateway/wire/messages_stream.h"
#include "gateway/wire/wire_json.h"

namespace keyrelay::gateway {

namespace json = boost::json;

core::Result<UpstreamCall> build_messages_call(const catalog::Provider& provider, const MessagesRequest& request,
                                               std::string_view model, const WireOptions& options) {
  const catalog::Wire wire = *provider.wire;
  if (wire == catalog::Wire::anthropic) {
    json::object body = request.body;  // unknown fields and all: Anthropic knows its own API best
    body["model"] = model;
    return UpstreamCall{"/v1/messages", json::serialize(body)};
  }
  auto chat = chat_request_of_messages(request);
  if (!chat) return chat.error();
  if (wire == catalog::Wire::openai && provider.id == "openai") {
    if (json::value* limit = chat->body.if_contains("max_tokens")) {
      chat->body["max_completion_tokens"] = *limit;
      chat->body.erase("max_tokens");
    }
  }
  return build_upstream_call(wire, *chat, model, options);
}

std::unique_ptr<StreamTranslator> make_messages_stream(catalog::Wire wire, const MessagesRequest& request,
                                                       ResponseMeta meta) {
  if (wire == catalog::Wire::anthropic) return wire::make_anthropic_passthrough();
  // The chat translator is made for a request that asked for usage: the pivot chunks then end with
  // it, and message_delta can carry it.
  ChatRequest chat;
  chat.stream = true;
  chat.include_usage = true;
  chat.models = request.models;
  return wire::chain_streams(make_stream_translator(wire, chat, meta), wire::make_chunks_to_messages(meta));
}

std::string_view anthropic_error_type(int status) noexcept {
  switch (status) {
    case 400: return "invalid_request_error";
    case 401: return "authentication_error";
    case 402: return "billing_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 413: return "request_too_large";
    case 429: return "rate_limit_error";
    case 504: return "timeout_error";
    case 529: return "overloaded_error";
    default: return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

std::string anthropic_error_body(std::string_view type, std::string_view message, std::string_view code,
                                 std::string_view request_id) {
  // The message may quote client or provider bytes (a model name); the body stays UTF-8.
  json::object error{{"type", type}, {"message", core::to_valid_utf8(message)}};
  if (!code.empty()) error["code"] = code;
  return json::serialize(json::object{{"type", "error"}, {"error", std::move(error)}, {"request_id", request_id}});
}

std::string anthropic_stream_error_event(std::string_view message, std::string_view request_id) {
  return "event: error\n" + wire::data_event(anthropic_error_body("api_error", message, "upstream_error", request_id));
}

MessagesError translate_messages_error(catalog::Wire wire, int status, std::string_view body) {
  const ProviderError error = translate_error(wire, status, body);
  MessagesError out{error.status, std::string(anthropic_error_type(error.status)), error.message};
  // Anthropic's own type says more than its status does (overloaded_error, billing_error …).
  if (const auto doc = wire::parse_json(body); doc && doc->is_object() && wire::string_field(doc->get_object(), "type") == "error")
    if (const json::object* e = wire::object_field(doc->get_object(), "error"))
      if (const std::string_view type = wire::string_field(*e, "type"); !type.empty()) out.type = type;
  return out;
}

}  // namespace keyrelay::gateway
