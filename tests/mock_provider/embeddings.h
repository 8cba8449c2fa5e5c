#pragma once
// The embeddings calls: OpenAI's POST <base>/embeddings (every OpenAI-wire provider) and Gemini's
// POST /v1beta/models/<model>:batchEmbedContents. Pure functions.
//
// Each input gets a deterministic vector its reader can check exactly: `dimensions` values (the
// request's dimensions / outputDimensionality, default 8), value k = (10 × words of the input + k) / 64
// (exact in float32, so base64 float32 decodes to the same numbers). OpenAI usage: prompt_tokens =
// total_tokens = the words of every input (token-id inputs: the ids). Gemini's answer carries no
// usage, as its documented shape has none.

#include <optional>
#include <string>
#include <string_view>

#include "provider_table.h"
#include "request.h"

namespace keyrelay::mock {

// The model of a Gemini embeddings path after "/gemini" ("/v1beta/models/<model>:batchEmbedContents"),
// percent-decoded; nullopt for any other path.
std::optional<std::string> gemini_embeddings_model(std::string_view rest);

// Reads the request strictly, as OpenAI does (fields model, input, encoding_format, dimensions,
// user only; input a non-empty string, array of non-empty strings or token ids; encoding_format
// float or base64), and answers the list of embeddings — base64 strings when asked — or the 400
// naming what is wrong.
Answer openai_embeddings_answer(const Provider& p, const Incoming& in);

// Reads the request strictly, as the Generative Language API does (only "requests"; each request
// only model, content, taskType, title, outputDimensionality; its model "models/<the path's
// model>"; content with non-empty text parts), and answers {"embeddings":[{"values":[…]}]} or the
// 400 INVALID_ARGUMENT naming what is wrong.
Answer gemini_embeddings_answer(const Provider& p, const Incoming& in, const std::string& model);

}  // namespace keyrelay::mock
