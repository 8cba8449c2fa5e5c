#pragma once
// The one seam between the JWKS-by-URL logic (remote_jwks.h) and the network: one GET of the
// operator's KEYRELAY_JWT_JWKS_URL. The real fetcher lives with the composition root (it needs an
// HTTP client, which auth/ must not know); tests inject a fake.

#include <chrono>
#include <optional>
#include <string>

#include "core/result.h"

namespace keyrelay::auth {

// A 200 answer of the key set URL: the body and the headers the refresh policy reads.
struct JwksDocument {
  std::string body;
  std::optional<std::string> cache_control;  // Cache-Control field value, as received
  std::optional<std::string> expires;        // Expires field value (an HTTP-date)
};

// Implementations must be safe to call from several threads at once.
class JwksFetcher {
 public:
  virtual ~JwksFetcher() = default;
  // GETs the key set, giving up after `timeout` (connect, TLS and body included). Any status but
  // 200 is an error (redirects are not followed), and so is a body over 1 MiB. Errors carry a short
  // reason that names the host at most: the URL's path or query may hold a secret.
  virtual core::Result<JwksDocument> fetch(std::chrono::milliseconds timeout) = 0;
};

}  // namespace keyrelay::auth
