#pragma once
// KeyValidator: asks a provider whether a key works, with the cheapest read-only call the catalog
// names (`validate`), the key injected where that provider wants it. The answer is classified
// (answer_classifier.h) and its text redacted; the plaintext key lives only in the request for the
// duration of the call and the upstream client wipes its copies.
//
// Thread-safe; borrows the client, which must outlive it.

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "catalog/catalog.h"
#include "core/secret.h"
#include "gateway/answer_classifier.h"
#include "store/records.h"

namespace keyrelay::gateway {

class UpstreamClient;

struct ValidationResult {
  Verdict verdict = Verdict::error;
  std::optional<int> http_status;  // absent when no answer came (timeout, refused)
  std::string message;             // redacted, at most 256 characters
  std::chrono::milliseconds latency{0};

  // The key's stored validation state: working keys (even throttled or out of credit) are valid.
  store::ValidationState state() const noexcept;
  bool valid() const noexcept { return state() == store::ValidationState::valid; }
};

class KeyValidator {
 public:
  explicit KeyValidator(UpstreamClient& client) : client_(client) {}

  boost::asio::awaitable<ValidationResult> validate(const catalog::Provider& provider, const core::Secret& key);

 private:
  UpstreamClient& client_;
};

// The API shape {"valid","state","http_status","message","latency_ms"}.
std::string validation_json(const ValidationResult& result);

}  // namespace keyrelay::gateway
