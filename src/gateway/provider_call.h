#pragma once
// A provider call as the dispatcher tries it with each candidate key, and the answer it stopped at.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "gateway/key_choice.h"
#include "gateway/upstream_client.h"
#include "gateway/usage_recorder.h"
#include "http/body_source.h"
#include "http/headers.h"

namespace keyrelay::gateway {

// A provider call, minus the key.
struct ProviderCall {
  std::string method;
  std::string url;         // provider base URL + path (+ query)
  http::Headers headers;   // end-to-end headers to send
  std::string body;
  // Instead of `body`: an upload read as it is sent (/proxy). It cannot be replayed, so once a key's
  // attempt has read from it no other key is tried.
  std::shared_ptr<http::BodySource> body_source;
  std::string route;       // "chat" | "proxy" | "mcp" | "models", for usage and audit
  std::string model;       // for usage and audit; empty for /proxy
  // How much of a 2xx answer is read inside the loop, where a break still fails over: all of it
  // (a plain chat answer, a model list), or its start — the first event of an event stream, the
  // first piece of a body of unknown length, all of a body whose announced length is small.
  enum class Read { whole, start } read = Read::start;
};

// A request the client wrote and keyrelay passed on (/proxy, /mcp): a refusal of it may be the
// request's fault rather than the key's, so it only gets the key re-checked.
inline bool is_passed_through(std::string_view route) noexcept { return route == "proxy" || route == "mcp"; }

// The answer the dispatcher stopped at: a 2xx, or a final 4xx about the request itself. Nothing of
// it has reached the client yet.
struct ProviderAnswer {
  const catalog::Provider* provider = nullptr;
  UpstreamStream stream;      // head read; the rest of the body (stream.done(): none)
  std::string body_start;     // a 2xx answer's body as far as the loop read it, as sent
  std::string error_body;     // a final non-2xx answer's whole body: decoded, the key scrubbed out
  Credential credential = Credential::user;
  // The use of the key that answered (its id, owner, provider, route, model and the actor), filled
  // but for the outcome: the relay completes it (status, tokens, error) and hands it to the usage
  // sink once the answer has been relayed.
  KeyUse use;
};

}  // namespace keyrelay::gateway
