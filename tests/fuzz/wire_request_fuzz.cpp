// The /v1/chat/completions body: parse_chat_request, then each wire's request builder for every
// model the request names (as the fallback loop would try them). The same bytes as a /v1/messages
// body (parse_messages_request, build_messages_call for each wire) and a /v1/embeddings body.
// Input: the JSON body as a client sends it.
// Checks: refusals are messages a JSON answer can carry (UTF-8 valid); a built call has a JSON
// body and a path that stays a path.

#include <cstdint>
#include <string_view>

#include "fuzz_input.h"
#include "gateway/wire/chat_wire.h"
#include "gateway/wire/embeddings_wire.h"
#include "gateway/wire/messages_wire.h"

namespace {

using namespace keyrelay;

void check_refusal(const core::Error& error) {
  FUZZ_CHECK(error.code == core::Errc::invalid_request);
  FUZZ_CHECK(!error.message.empty());
  FUZZ_CHECK(fuzz::is_utf8(error.message));
}

void check_call(const core::Result<gateway::UpstreamCall>& call) {
  if (!call) {
    check_refusal(call.error());
    return;
  }
  FUZZ_CHECK(fuzz::is_json(call->body));
  FUZZ_CHECK(call->path.starts_with("/"));
  FUZZ_CHECK(call->path.find_first_of("\r\n ") == std::string::npos);
}

// The body as /v1/messages and /v1/embeddings read it, built for each wire with its first model.
void other_routes(std::string_view body) {
  constexpr catalog::Wire kWires[] = {catalog::Wire::openai, catalog::Wire::anthropic, catalog::Wire::gemini};
  if (auto messages = gateway::parse_messages_request(body)) {
    for (const auto wire : kWires) {
      catalog::Provider provider;
      provider.id = wire == catalog::Wire::openai ? "openai" : "other";
      provider.wire = wire;
      check_call(gateway::build_messages_call(provider, *messages, "m-1", gateway::WireOptions{}));
    }
  } else {
    check_refusal(messages.error());
  }
  if (auto embeddings = gateway::parse_embeddings_request(body)) {
    for (const auto wire : kWires) check_call(gateway::build_embeddings_call(wire, *embeddings, "m-1"));
  } else {
    check_refusal(embeddings.error());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  other_routes(body);
  auto request = gateway::parse_chat_request(body);
  if (!request) {
    check_refusal(request.error());
    return 0;
  }
  FUZZ_CHECK(!request->models.empty());
  FUZZ_CHECK(!request->body.contains("models"));
  for (std::size_t i = 0; i < request->models.size() && i < 3; ++i) {
    std::string_view model = request->models[i];
    if (const auto slash = model.find('/'); slash != std::string_view::npos) model.remove_prefix(slash + 1);
    for (const auto wire : {catalog::Wire::openai, catalog::Wire::anthropic, catalog::Wire::gemini}) {
      auto call = gateway::build_upstream_call(wire, *request, model, gateway::WireOptions{});
      if (!call) {
        check_refusal(call.error());
        continue;
      }
      FUZZ_CHECK(fuzz::is_json(call->body));
      FUZZ_CHECK(call->path.starts_with("/"));
      FUZZ_CHECK(call->path.find_first_of("\r\n ") == std::string::npos);
    }
  }
  return 0;
}
