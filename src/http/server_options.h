#pragma once
// Limits and lifecycle settings of the HTTP server. Defaults match API.md; the composition root fills
// them from config::Config.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <functional>
#include <string>
#include <string_view>

#include "http/trusted_proxies.h"

namespace keyrelay::http {

// The listener's certificate chain and its private key, PEM files.
struct TlsFiles {
  std::filesystem::path cert_file;
  std::filesystem::path key_file;
};

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";               // host:port; port 0 picks a free one
  std::optional<TlsFiles> tls;                         // set: the listener speaks TLS only (1.2+)
  unsigned threads = 0;                                // I/O threads; 0 = one per core
  std::size_t max_header_bytes = 16 * 1024;            // request head larger than this → 431
  std::size_t max_body_bytes = 1024 * 1024;            // default per-route body limit → 413
  std::chrono::milliseconds header_timeout{10'000};    // first byte → end of head; cuts slow-loris
  std::chrono::milliseconds body_timeout{30'000};      // end of head → end of body
  std::chrono::milliseconds idle_timeout{60'000};      // keep-alive wait between requests
  std::chrono::milliseconds write_timeout{30'000};     // one response
  std::size_t max_connections = 10'000;                // beyond: 503 and close
  // Open connections from one peer address at most (beyond: 503 and close); 0 = no cap. Peers in
  // trusted_proxies are exempt: a load balancer carries everyone's connections. So are loopback
  // peers unless cap_loopback_clients: a reverse proxy or sidecar on the same host carries everyone's
  // connections too, and a process on the host could exhaust the server by other means anyway.
  std::size_t max_connections_per_client = 256;
  bool cap_loopback_clients = false;
  // A body larger than this (or chunked) is read only after the route's head check passed
  // (Handler::check_head): a request the route refuses costs the server its head, not its body.
  std::size_t head_check_above = 64 * 1024;
  std::chrono::milliseconds shutdown_timeout{10'000};  // in-flight requests may finish this long
  bool handle_signals = true;                          // SIGINT/SIGTERM start a graceful shutdown
  std::function<void()> on_sighup;                     // with handle_signals: called on every SIGHUP
  TrustedProxies trusted_proxies;                      // whose X-Forwarded-For is believed
  // Called on the I/O thread after every answered request (metrics); must be quick and not block.
  // `route` is the matched pattern (empty when none matched), valid for the server's life.
  std::function<void(std::string_view route, std::string_view method, int status,
                     std::chrono::nanoseconds duration)> on_request;
};

}  // namespace keyrelay::http
