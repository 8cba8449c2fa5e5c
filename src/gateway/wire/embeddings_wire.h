#pragma once
// POST /v1/embeddings: OpenAI's embeddings request in, OpenAI's answer out. OpenAI-wire providers
// get the body as it came ("model" replaced) and answer in OpenAI's shape themselves; Gemini gets
// :batchEmbedContents (one request per input) and its embeddings come back in OpenAI's shape,
// floats or base64 (little-endian float32, as OpenAI encodes them) as the client asked. Anthropic
// has no embeddings API. Pure functions over Boost.JSON, like chat_wire.h.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "catalog/catalog.h"
#include "core/result.h"
#include "gateway/wire/chat_wire.h"

namespace keyrelay::gateway {

// A client's /v1/embeddings request, checked once before any provider is tried.
struct EmbeddingsRequest {
  boost::json::object body;           // as the client sent it, "models" removed
  std::vector<std::string> models;    // "model" first, then the "models" fallbacks
  std::vector<std::string> texts;     // the inputs when they are text (empty for token-id inputs)
  bool base64 = false;                // encoding_format "base64" (else floats)
  std::optional<std::int64_t> dimensions;
};

// invalid_request naming the field for: not a JSON object; no model; "input" not a non-empty
// string, a non-empty array of non-empty strings, an array of token ids or an array of arrays of
// token ids; encoding_format other than "float" or "base64"; dimensions not an integer ≥ 1; a
// number beyond a double's range. Unknown fields are kept (for OpenAI-wire providers).
core::Result<EmbeddingsRequest> parse_embeddings_request(std::string_view body);

// What goes upstream for one attempt with `model` (the provider's own name): "/embeddings" with
// the client's body (OpenAI wire), or "/v1beta/models/<model>:batchEmbedContents" (Gemini: the
// model name checked as for chat; token-id inputs refused, Gemini takes text). invalid_request for
// the Anthropic wire.
core::Result<UpstreamCall> build_embeddings_call(catalog::Wire wire, const EmbeddingsRequest& request,
                                                 std::string_view model);

struct EmbeddingsResponse {
  std::string body;   // OpenAI's {"object":"list","data":[{"object":"embedding","index","embedding"}],"model","usage"}
  TokenUsage usage;   // input = prompt tokens; reported only when the provider counted them
  std::string model;
};

// A provider's 2xx answer in OpenAI's shape: OpenAI-wire answers unchanged; Gemini's
// {"embeddings":[{"values":[…]}]} translated, one entry per input in order, its usage from
// usageMetadata.promptTokenCount when it sends one (else 0, and not reported: the call is unpriced).
// upstream_error when the body is not such an answer or the count of embeddings is not the count
// of inputs.
core::Result<EmbeddingsResponse> translate_embeddings_response(catalog::Wire wire, std::string_view body,
                                                               const EmbeddingsRequest& request, std::string_view model);

// The base64 of `values` as little-endian IEEE-754 float32s: OpenAI's encoding_format "base64".
std::string base64_float32(const std::vector<double>& values);

}  // namespace keyrelay::gateway
