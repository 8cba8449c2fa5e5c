#pragma once
// The JWKS URL fetcher of `keyrelay serve`: auth::JwksFetcher over the gateway's UpstreamClient
// (TLS verified against the system store plus KEYRELAY_UPSTREAM_CA_FILE, redirects not followed),
// on an I/O thread of its own. Its own thread lets the first fetch run before the server's I/O
// threads exist, and keeps a slow identity provider off the threads that serve requests.
//
// Thread-safe: fetch() blocks its caller (the refresher thread, or a worker verifying a token with
// an unknown kid) for at most its timeout. Move-less; stops its thread on destruction.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "auth/jwks_fetcher.h"

namespace keyrelay::cli {

class JwksHttpFetcher final : public auth::JwksFetcher {
 public:
  // Errc::invalid_request when `url` is not an absolute http(s) URL; Errc::internal when the CA
  // file cannot be loaded. The message names neither the URL's path nor its query.
  static core::Result<std::unique_ptr<JwksHttpFetcher>> create(std::string url,
                                                              std::optional<std::filesystem::path> extra_ca_file);
  ~JwksHttpFetcher() override;
  JwksHttpFetcher(const JwksHttpFetcher&) = delete;
  JwksHttpFetcher& operator=(const JwksHttpFetcher&) = delete;

  // auth::JwksFetcher
  core::Result<auth::JwksDocument> fetch(std::chrono::milliseconds timeout) override;

  struct State;

 private:
  explicit JwksHttpFetcher(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace keyrelay::cli
