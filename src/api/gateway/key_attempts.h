#pragma once
// The fallback loop of the gateway (API.md "Gateway endpoints"): one provider call tried with each
// candidate key in turn. A key is skipped while its circuit is open; a connect error, timeout, 429,
// out-of-credit answer, 5xx, or an answer that breaks off before any byte of it was relayed moves
// on to the next key (and, but for out of credit, counts against the key's circuit). A definite
// "bad key" answer moves on too: a user's own key on /v1 is marked invalid at once (keyrelay built
// that request), while on /proxy — where the client's own headers may have caused the refusal —
// and for the operator's default keys the key is only re-validated off the request path
// (key_recheck.h). Any other answer — a 2xx, or a 4xx about the request itself — ends the loop and
// is handed to the caller with as much of its body read as failing over needs: nothing has reached
// the client yet.
//
// The plaintext key lives in a core::Secret only while its request is built and sent; provider text
// that reaches a message is redacted, and a compressed error answer is decoded before it is
// classified and scrubbed.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "api/gateway/gateway_services.h"
#include "audit/actor.h"
#include "gateway/key_choice.h"
#include "http/body_source.h"
#include "http/headers.h"

namespace keyrelay::api {

// A provider call, minus the key.
struct ProviderCall {
  std::string method;
  std::string url;         // provider base URL + path (+ query)
  http::Headers headers;   // end-to-end headers to send
  std::string body;
  // Instead of `body`: an upload read as it is sent (/proxy). It cannot be replayed, so once a key's
  // attempt has read from it no other key is tried.
  std::shared_ptr<http::BodySource> body_source;
  std::string route;       // "chat" | "proxy" | "models", for usage and audit
  std::string model;       // for usage and audit; empty for /proxy
  // How much of a 2xx answer is read inside the loop, where a break still fails over: all of it
  // (a plain chat answer, a model list), or its start — the first event of an event stream, the
  // first piece of a body of unknown length, all of a body whose announced length is small.
  enum class Read { whole, start } read = Read::start;
};

// A provider answer the loop stopped at: a 2xx, or a final 4xx.
struct ProviderAnswer {
  gateway::UpstreamStream stream;       // head read; the rest of the body (stream.done(): none)
  std::string body_start;               // a 2xx answer's body as far as the loop read it, as sent
  std::string error_body;               // a final non-2xx answer's whole body: decoded, the key scrubbed out
  const store::KeyRecord* key = nullptr;
  gateway::Credential credential = gateway::Credential::user;
};

// What the failed attempts add up to, for the final error and the X-Keyrelay-Attempts header.
struct AttemptTally {
  int attempts = 0;        // keys actually called
  int rate_limited = 0;
  int timeouts = 0;
  int other_failures = 0;  // transport errors, 5xx, out of credit, bad keys, tampered secrets
  int unavailable = 0;     // keys that could not be decrypted right now (transient; the key is fine)
  std::optional<std::chrono::seconds> min_retry_after;
  std::vector<std::string> reasons;  // "anthropic key 'work': rate limited", for the final message
  std::vector<std::string> skipped;  // keys skipped because their circuit is open
  // The client's streamed body failed (cut, too slow, too large): the answer is about the client,
  // not about any key, so no key's circuit counts it.
  std::optional<core::Error> client_body_error;

  // The error when every attempt failed: the client's body error if there was one; all 429 → rate_limited (smallest Retry-After); all timed
  // out → upstream_timeout; none could be decrypted right now → unavailable; otherwise upstream_error.
  core::Error final_error() const;
};

// The owner's key records: from the cache without leaving the I/O thread, or loaded (with what
// opening them needs) on the worker pool.
boost::asio::awaitable<core::Result<vault::KeyCache::Snapshot>> key_snapshot(GatewayServices& gateway,
                                                                             const std::string& owner_id);

// Tells the user (an alert, coalesced per provider while open) that a request found no usable key
// for `provider`; `why` names what is missing. Returns at once.
void alert_no_usable_key(Services& services, const audit::Actor& caller, std::string_view provider,
                         const std::string& why);

class KeyAttempts {
 public:
  KeyAttempts(GatewayServices& gateway, const audit::Actor& caller) : gateway_(gateway), caller_(caller) {}

  // Tries `call` with each of `choices` for `provider` in order. Returns the answer it stopped at,
  // or nullopt when every key failed (see tally()).
  boost::asio::awaitable<std::optional<ProviderAnswer>> run(const catalog::Provider& provider, const ProviderCall& call,
                                                            const std::vector<gateway::KeyChoice>& choices);

  // A use of the key that answered, for the caller to complete (status, tokens, error) and hand to
  // the usage recorder once the answer has been relayed.
  gateway::KeyUse use_of(const catalog::Provider& provider, const ProviderCall& call,
                         const ProviderAnswer& answer) const;

  const AttemptTally& tally() const noexcept { return tally_; }

 private:
  boost::asio::awaitable<void> mark_invalid(const catalog::Provider& provider, const store::KeyRecord& key,
                                            int http_status, const std::string& message);
  // Reads the part of a 2xx answer that `call` wants read before the loop stops (Read::whole: all).
  boost::asio::awaitable<core::Result<std::string>> read_start(const ProviderCall& call, gateway::UpstreamStream& answer);
  // A failure of the transport (connect, timeout, an answer broken off): the key's circuit counts it.
  void transport_failure(const catalog::Provider& provider, const ProviderCall& call, const gateway::KeyChoice& choice,
                         const core::Error& error, std::string_view secret, std::chrono::nanoseconds latency);
  gateway::KeyUse use_of(const catalog::Provider& provider, const ProviderCall& call, const store::KeyRecord& key,
                         gateway::Credential credential) const;
  void count_fallback(std::string_view reason);
  void count_upstream(const catalog::Provider& provider, std::string_view outcome, std::chrono::nanoseconds latency);
  void record_failure(const catalog::Provider& provider, const ProviderCall& call, const store::KeyRecord& key,
                      gateway::Credential credential, std::optional<int> http_status);

  GatewayServices& gateway_;
  const audit::Actor& caller_;
  AttemptTally tally_;
};

}  // namespace keyrelay::api
