// The /v1/chat/completions body: parse_chat_request, then each wire's request builder for every
// model the request names (as the fallback loop would try them).
// Input: the JSON body as a client sends it.
// Checks: refusals are messages a JSON answer can carry (UTF-8 valid); a built call has a JSON
// body and a path that stays a path.

#include <cstdint>
#include <string_view>

#include "fuzz_input.h"
#include "gateway/wire/chat_wire.h"

namespace {

using namespace keyrelay;

void check_refusal(const core::Error& error) {
  FUZZ_CHECK(error.code == core::Errc::invalid_request);
  FUZZ_CHECK(!error.message.empty());
  FUZZ_CHECK(fuzz::is_utf8(error.message));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
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
