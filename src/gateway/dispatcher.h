#pragma once
// The gateway's dispatcher: serves one provider call for an actor with the right stored key. It
// takes the owner's key snapshot (and the operator's default keys where the operator allows them),
// walks the routes in order (a model and its fallbacks), chooses each provider's keys
// (key_choice.h), tries them (key_attempts.h: circuit breaker, answer classification, usage and
// alert hand-off), and returns the answer it stopped at — or the one error that sums up every
// failed attempt. The plaintext key goes from the SecretOpener to the injection point and nowhere
// else: what the dispatcher returns never holds it.
//
// Handlers above it only parse, dispatch and write. Thread-safe: each dispatch keeps its state in
// its own coroutine; the parts are thread-safe.

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "gateway/key_attempts.h"

namespace keyrelay::gateway {

// One provider a call may go to, in the order tried.
struct Route {
  const catalog::Provider* provider = nullptr;
  // The name the client asked for ("gpt-4o", "anthropic/claude-…"), for messages; empty for a
  // /proxy call, whose errors then name the reason alone.
  std::string requested;
};

// Builds the call for routes[index] — only for a route that has a usable key, so a fallback route
// costs nothing unless it is tried. An error (the request cannot be said on that provider's wire)
// skips the route.
using CallBuilder = std::function<core::Result<ProviderCall>(std::size_t index)>;

// The owner's keys and, where the operator allows default-key fallback, the operator's.
struct KeySets {
  KeySet user;
  KeySet defaults;  // null when default keys may not serve
};

// The outcome of a dispatch: an answer, or the error when every attempt failed.
struct Dispatched {
  std::optional<ProviderAnswer> answer;
  core::Error error = core::Error::internal("nothing was dispatched");
  int attempts = 0;                         // keys actually called (X-Keyrelay-Attempts)
  std::chrono::nanoseconds upstream_time{0};  // waiting for providers, every attempt (Server-Timing)
};

class Dispatcher {
 public:
  Dispatcher(DispatchParts parts, DispatchSettings settings) : parts_(parts), settings_(std::move(settings)) {}

  // Tries routes in order until one answers (see the header comment).
  boost::asio::awaitable<Dispatched> dispatch(const Actor& actor, const std::vector<Route>& routes,
                                              const CallBuilder& build);

  // The keys that may serve `actor` (an error when they cannot be loaded).
  boost::asio::awaitable<core::Result<KeySets>> key_sets(const Actor& actor);
  // The keys to try for `provider`, in order; empty when none is usable.
  std::vector<KeyChoice> choices(const KeySets& keys, std::string_view provider) const;
  // Tries `call` with `choices` for `provider` (a model list, whose routes the caller walks).
  boost::asio::awaitable<Dispatched> try_keys(const Actor& actor, const catalog::Provider& provider,
                                              const ProviderCall& call, const std::vector<KeyChoice>& choices);

  const DispatchSettings& settings() const noexcept { return settings_; }

 private:
  DispatchParts parts_;
  const DispatchSettings settings_;
};

}  // namespace keyrelay::gateway
