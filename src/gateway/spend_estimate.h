#pragma once
// The worst case a call can cost, which a spend cap reserves before the call goes upstream.
//
// Input: the request body's bytes / 3, rounded up, as tokens, priced at the input rate. Tokenizers
// of the providers give about 4 bytes per token in English text and JSON spends bytes on syntax, so
// a third of the bytes is a deliberate over-estimate of the prompt (the real count replaces it when
// the call settles). Output: the request's own limit (max_tokens, max_completion_tokens,
// max_output_tokens, generationConfig.maxOutputTokens), else the model's maximum from the price
// table, else SpendEstimateOptions::default_max_output_tokens.
//
// A model without a price cannot be bounded: nullopt on /v1 (the caller refuses it under a cap).
// A /proxy call names its model in its body or path, if at all; when it has no price, or the body
// streams in without an announced length, the call is reserved at the configured per-call worst case.

#include <cstdint>
#include <optional>
#include <string>

#include "catalog/price_table.h"
#include "gateway/provider_call.h"

namespace keyrelay::gateway {

struct SpendEstimateOptions {
  std::int64_t default_max_output_tokens = 32'768;  // KEYRELAY_CAPS_DEFAULT_MAX_OUTPUT_TOKENS
  std::int64_t proxy_call_micro_usd = 1'000'000;    // KEYRELAY_CAPS_PROXY_CALL_USD: an unpriced /proxy call
};

struct SpendEstimate {
  std::string model;                  // the model priced ("" when unknown)
  std::optional<std::int64_t> micro_usd;  // nullopt: the model has no price and the route no fallback
};

// The model a call names: ProviderCall::model, else a /proxy body's "model" or a Gemini path's
// ".../models/<model>:<method>".
std::string called_model(const ProviderCall& call);

SpendEstimate estimate_worst_case(const catalog::PriceTable& prices, const catalog::Provider& provider,
                                  const ProviderCall& call, const SpendEstimateOptions& options);

}  // namespace keyrelay::gateway
