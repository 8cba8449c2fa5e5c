#pragma once
// The fallback loop over one provider's keys (API.md "Gateway endpoints"): one provider call tried
// with each candidate key in turn. A key is skipped while its circuit is open; a connect error,
// timeout, 429, out-of-credit answer, 5xx, or an answer that breaks off before any byte of it was
// relayed moves on to the next key (and, but for out of credit, counts against the key's circuit).
// A definite "bad key" answer moves on too: a user's own key on /v1 is marked invalid at once
// (keyrelay built that request), while on /proxy — where the client's own headers may have caused
// the refusal — and for the operator's default keys the key is only re-validated off the request
// path. Any other answer — a 2xx, or a 4xx about the request itself — ends the loop and is handed
// back with as much of its body read as failing over needs: nothing has reached the client yet.
//
// The plaintext key lives in a core::Secret only while its request is built and sent; provider
// text that reaches a message is redacted, and a compressed error answer is decoded before it is
// classified and scrubbed.

#include <chrono>
#include <optional>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "gateway/attempt_tally.h"
#include "gateway/circuit_breaker.h"
#include "gateway/dispatch_settings.h"
#include "gateway/dispatcher_ports.h"
#include "gateway/key_choice.h"
#include "gateway/provider_call.h"
#include "gateway/upstream_client.h"
#include "monitor/keyrelay_metrics.h"

namespace keyrelay::gateway {

// What a dispatch works with; everything is borrowed and outlives the dispatcher.
struct DispatchParts {
  KeySource& keys;
  SecretOpener& secrets;
  UpstreamClient& upstream;
  CircuitBreaker& breaker;
  UsageSink& usage;
  AlertSink& alerts;
  const core::Clock& clock;
  monitor::Metrics* metrics = nullptr;  // null: nothing is counted
  SpendGuard* spend = nullptr;          // null: no spend caps are enforced
};

class KeyAttempts {
 public:
  KeyAttempts(DispatchParts& parts, const DispatchSettings& settings, const Actor& actor)
      : parts_(parts), settings_(settings), actor_(actor) {}

  // Tries `call` with each of `choices` for `provider` in order. Returns the answer it stopped at,
  // or nullopt when every key failed (see tally()).
  boost::asio::awaitable<std::optional<ProviderAnswer>> run(const catalog::Provider& provider, const ProviderCall& call,
                                                            const std::vector<KeyChoice>& choices);

  const AttemptTally& tally() const noexcept { return tally_; }
  // Time spent waiting for providers so far (every attempt: connect, send, head and what of the
  // body the loop read), for Server-Timing.
  std::chrono::nanoseconds upstream_time() const noexcept { return upstream_time_; }

 private:
  // One key's attempt: the answer to stop at, or nullopt to go on with the next key.
  boost::asio::awaitable<std::optional<ProviderAnswer>> attempt(const catalog::Provider& provider,
                                                                const ProviderCall& call, const KeyChoice& choice,
                                                                bool& body_spent);
  // Reads the part of a 2xx answer that `call` wants read before the loop stops (Read::whole: all).
  boost::asio::awaitable<core::Result<std::string>> read_start(const ProviderCall& call, UpstreamStream& answer);
  // A non-2xx answer, read whole and scrubbed: the answer to stop at (a 4xx about the request), or
  // nullopt after booking the key's failure.
  boost::asio::awaitable<std::optional<ProviderAnswer>> judge_refusal(const catalog::Provider& provider,
                                                                      const ProviderCall& call, const KeyChoice& choice,
                                                                      UpstreamStream opened, std::string_view secret,
                                                                      std::chrono::nanoseconds latency);
  // A failure of the transport (connect, timeout, an answer broken off): the key's circuit counts it.
  void transport_failure(const catalog::Provider& provider, const ProviderCall& call, const KeyChoice& choice,
                         const core::Error& error, std::string_view secret, std::chrono::nanoseconds latency);
  KeyUse use_of(const catalog::Provider& provider, const ProviderCall& call, const KeyChoice& choice) const;
  // Reserves the attempt's worst case against the spend caps (hold_); false when the caps refuse
  // the key (the refusal is in the tally).
  boost::asio::awaitable<bool> reserve_spend(const catalog::Provider& provider, const ProviderCall& call,
                                             const KeyChoice& choice);
  void count_fallback(std::string_view reason);
  void count_upstream(const catalog::Provider& provider, std::string_view outcome, std::chrono::nanoseconds latency);
  void record_failure(const catalog::Provider& provider, const ProviderCall& call, const KeyChoice& choice,
                      std::optional<int> http_status);

  DispatchParts& parts_;
  const DispatchSettings& settings_;
  const Actor& actor_;
  AttemptTally tally_;
  std::chrono::nanoseconds upstream_time_{0};
  std::shared_ptr<SpendHold> hold_;  // the current attempt's reservation, handed to its one use
};

}  // namespace keyrelay::gateway
