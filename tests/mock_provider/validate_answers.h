#pragma once
// The 2xx answers of the cheap read-only calls: each provider's validate call (catalog
// "validate") and the list-models call of the three LLM wires. Pure functions.

#include "provider_table.h"
#include "request.h"

namespace keyrelay::mock {

// The list-models answer of `p`'s wire: OpenAI {"object":"list","data":[{"id",…}]}, Anthropic
// {"data":[{"type":"model","id",…}],"has_more":false,…}, Gemini {"models":[{"name":"models/…"}]}
// paged by pageSize (default 50) and pageToken (nextPageToken while more remain).
Answer list_models_answer(const Provider& p, const Incoming& in);

// The 2xx answer of `p`'s validate call (a model list for most LLM providers, OpenRouter's /key,
// the service providers' own small plausible bodies). Perplexity validates through chat, which
// providers.cpp routes to the chat answer instead.
Answer validate_answer(const Provider& p, const Incoming& in);

}  // namespace keyrelay::mock
