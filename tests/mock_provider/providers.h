#pragma once
// What the mock answers for a provider request: which route it is (the provider's validate call,
// its wire's list-models or chat call), then the answer its key's behaviour keyword asks for, in
// that provider's own shape. Pure functions over plain values: main.cpp does the I/O.
//
// Routes, under "/<provider id>" (the test points KEYRELAY_PROVIDER_<ID>_BASE_URL there):
//   every provider     its catalog validate call (method and path as in catalog.json)
//   OpenAI wire        POST /chat/completions, POST /embeddings, GET /models   (openai, perplexity,
//                      kimi, kimi-cn, groq, mistral, deepseek, xai, openrouter, together)
//   anthropic          POST /v1/messages, GET /v1/models
//   gemini             POST /v1beta/models/<model>:generateContent,
//                      POST /v1beta/models/<model>:streamGenerateContent?alt=sse,
//                      POST /v1beta/models/<model>:batchEmbedContents, GET /v1beta/models
//                      (the chat calls also under /v1/, the google-genai SDK's default)
// Embeddings answers are deterministic vectors (embeddings.h).
// Auth is checked as the provider does: Authorization: Bearer (OpenAI wire), x-api-key plus a
// required anthropic-version header (Anthropic: 400 without it), x-goog-api-key or ?key= (Gemini).
// Chat bodies are checked strictly per wire (openai_chat.h, anthropic_chat.h, gemini_chat.h); a
// malformed body is a 400 in the provider's error shape naming what is wrong.
//
// Chat answers are deterministic (chat.h):
//   text       "Hello from <provider id> (<model>): <last user text>"
//   tool call  when the request declares tools (not turned off by tool_choice none / mode NONE)
//              and its last turn is not a tool result: a call of the FIRST declared tool with
//              arguments {"query":"<last user text>"} (finish tool_calls / tool_use / functionCall)
//   tool said  when the last turn is a tool result: "Tool said: <its content text>"
//   usage      input tokens = whitespace-separated words of every text in the request: system
//              prompt, text parts of every message, tool-result texts (not tool-call arguments);
//              output tokens = words of the reply text, 5 for a tool call
// Streams follow PROVIDERS.md §3.3 per wire; each event is one chunk of a chunked response.
//
// The behaviour is the text after the last '-' of the key (the whole key when it has none):
//   valid       the success answer (also every keyword not listed here)
//   invalid     the provider's definite "bad key" answer (also when the key is missing): 401
//               (Gemini 400 API_KEY_INVALID, Perplexity HTML 401, Google Maps 200 REQUEST_DENIED)
//   limited     rate limited: 429 with Retry-After: 7 (Google Maps: 200 OVER_QUERY_LIMIT);
//               limited<N> (e.g. limited12) says N seconds instead
//   quota       out of credit (OpenAI-style 429 insufficient_quota, Kimi 403, Firecrawl and
//               Anthropic 402, Gemini 429 QuotaFailure, Google Maps 200 OVER_DAILY_LIMIT)
//   error       500 in the provider's error shape
//   slow        the answer's first byte after 3 s; slow<ms> (e.g. slow1500) after that many ms
//   reset       the connection is closed (RST) without an answer
//   cut         streams: the head and the first 2 events (never the whole stream), then RST;
//               other answers: like reset
//   drip        streams: events 250 ms apart; drip<ms> (e.g. drip20000) spreads the events evenly
//               over that many ms (the bench's long-held streams); other answers: the plain answer
//   overloaded  Anthropic streams: HTTP 200, message_start, then `event: error` overloaded_error
//               and the end of the body; Anthropic otherwise 529 overloaded_error; every other
//               provider 503 in its shape
//   echo        200 with JSON describing the request as it arrived
//   broken      the answer breaks off before its end: a plain answer sends its head (with the
//               whole body's Content-Length) and half of its body, a stream its head and no
//               event, then the connection is reset
//   denied      the chat call is rejected as `invalid` rejects it; the validate and list-models
//               calls answer as `valid` does: a key refused for one request that a re-check finds
//               working
//   leaky       400 in the provider's error shape whose message quotes the whole key (a provider
//               echoing what it was sent)
// OpenAI (id openai) also checks OpenAI-Organization: any value but "org-mock" is a 401
// `mismatched_organization` whatever the key; its answers carry `openai-organization: org-mock`
// and `openai-project: proj_mock`, as the real API's do.
// main.cpp gzips a plain answer's body when the request's Accept-Encoding names gzip.
// Order of checks: route (404/405), organization, key missing or `invalid`, anthropic-version, echo, reset,
// leaky, denied,
// chat body (400), then limited / quota / error / overloaded, then the answer with slow / cut /
// drip applied. So a malformed chat body is a 400 whatever the keyword (except echo and reset).

#include "request.h"

namespace keyrelay::mock {

// The answer to a request for a provider path: `in.path` starts with "/<provider id>/". Unknown
// provider or path: 404 JSON; known path with another method: 405 with Allow.
Answer answer_provider_request(const Incoming& in);

}  // namespace keyrelay::mock
