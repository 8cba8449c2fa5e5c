// The wire switch: each public entry point of chat_wire.h handed to the translator of its wire.

#include "gateway/wire/chat_wire.h"

#include "gateway/wire/anthropic_wire.h"
#include "gateway/wire/gemini_wire.h"
#include "gateway/wire/openai_wire.h"

namespace keyrelay::gateway {

core::Result<UpstreamCall> build_upstream_call(catalog::Wire which, const ChatRequest& request, std::string_view model,
                                               const WireOptions& options) {
  switch (which) {
    case catalog::Wire::openai: return wire::build_openai_call(request, model);
    case catalog::Wire::anthropic: return wire::build_anthropic_call(request, model, options);
    case catalog::Wire::gemini: return wire::build_gemini_call(request, model);
  }
  return core::Error::internal("unknown wire");
}

core::Result<ChatResponse> translate_response(catalog::Wire which, std::string upstream_body,
                                              const ResponseMeta& meta) {
  switch (which) {
    case catalog::Wire::openai: return wire::translate_openai_response(std::move(upstream_body));
    case catalog::Wire::anthropic: return wire::translate_anthropic_response(upstream_body, meta);
    case catalog::Wire::gemini: return wire::translate_gemini_response(upstream_body, meta);
  }
  return core::Error::internal("unknown wire");
}

std::unique_ptr<StreamTranslator> make_stream_translator(catalog::Wire which, const ChatRequest& request,
                                                         ResponseMeta meta) {
  switch (which) {
    case catalog::Wire::openai: return wire::make_openai_stream(request);
    case catalog::Wire::anthropic: return wire::make_anthropic_stream(request, std::move(meta));
    case catalog::Wire::gemini: return wire::make_gemini_stream(request, std::move(meta));
  }
  return nullptr;
}

}  // namespace keyrelay::gateway
