#include "gateway/key_validator.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "gateway/key_injection.h"
#include "gateway/upstream_client.h"

namespace keyrelay::gateway {

store::ValidationState ValidationResult::state() const noexcept {
  switch (verdict) {
    case Verdict::valid:
    case Verdict::rate_limited:
    case Verdict::out_of_credit: return store::ValidationState::valid;
    case Verdict::invalid: return store::ValidationState::invalid;
    case Verdict::error: return store::ValidationState::error;
  }
  return store::ValidationState::error;
}

boost::asio::awaitable<ValidationResult> KeyValidator::validate(const catalog::Provider& provider,
                                                                const core::Secret& key) {
  UpstreamRequest request;
  request.method = provider.validate.method;
  request.url = provider.base_url + provider.validate.path;
  request.headers.add("Accept", "application/json");
  request.headers.add("User-Agent", "keyrelay/" KEYRELAY_VERSION);
  // The catalog's headers replace keyrelay's defaults of the same name (Duffel sets Accept).
  for (const auto& [name, value] : provider.extra_headers) request.headers.set(name, value);
  inject_key(provider, key.reveal_text(), request.headers, request.url);
  if (provider.validate.body_json) {
    if (!request.headers.contains("Content-Type")) request.headers.add("Content-Type", "application/json");
    request.body = *provider.validate.body_json;
  }

  ValidationResult result;
  const auto started = std::chrono::steady_clock::now();
  auto response = co_await client_.fetch(std::move(request));
  result.latency = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  if (!response) {
    result.verdict = Verdict::error;
    result.message = response.error().code == core::Errc::upstream_timeout
                         ? "the provider did not answer in time"
                         : redact("could not reach the provider: " + response.error().message, key.reveal_text());
    co_return result;
  }
  const Classification c = classify(provider, response->status, response->headers, response->body);
  result.verdict = c.verdict;
  result.http_status = response->status;
  result.message = redact(c.message, key.reveal_text());
  core::wipe_memory(response->body.data(), response->body.size());
  co_return result;
}

std::string validation_json(const ValidationResult& r) {
  return boost::json::serialize(boost::json::object{
      {"valid", r.valid()},
      {"state", store::validation_state_name(r.state())},
      {"http_status", r.http_status ? boost::json::value(*r.http_status) : boost::json::value(nullptr)},
      {"message", r.message},
      {"latency_ms", r.latency.count()}});
}

}  // namespace keyrelay::gateway
