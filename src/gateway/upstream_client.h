#pragma once
// The HTTP/1.1 client keyrelay uses to call provider APIs with a user's key.
//
// One UpstreamClient per process, shared by every request: it keeps a keep-alive pool per origin
// (scheme, host, port), verifies TLS peers against the system store (plus an optional extra CA file),
// and never follows redirects. Requests may carry a secret (an API key in a header or the query):
// the client wipes its own copies after writing, and its error messages name only the host.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/result.h"
#include "http/body_source.h"
#include "http/headers.h"

namespace keyrelay::gateway {

struct UpstreamRequest {
  std::string method;     // "GET", "POST", ...
  std::string url;        // absolute http(s)://host[:port]/path?query, already percent-encoded
  http::Headers headers;  // end-to-end headers; Host, Content-Length and hop-by-hop ones are replaced/dropped
  std::string body;
  // Instead of `body`: a body the caller keeps alive until open()/fetch() returns and that holds no
  // secret (a chat request keyrelay built), sent from where it is: a fallback loop trying several
  // keys copies it for none of them. Never wiped.
  std::optional<std::string_view> borrowed_body;
  // When set, the body is read from here while it is sent (and `body` is ignored): with
  // Content-Length when the source knows its length, chunked otherwise. Such a request cannot be
  // replayed, so it always gets a fresh connection and is never retried; a failure reading the
  // source aborts the exchange with the source's error and closes the upstream connection.
  std::shared_ptr<http::BodySource> body_source;
};

struct UpstreamResponse {
  int status = 0;
  http::Headers headers;  // without hop-by-hop headers
  std::string body;       // de-chunked
  std::chrono::milliseconds latency{0};  // from fetch() to the last body byte
};

struct UpstreamOptions {
  // TCP connect + TLS handshake (DNS included). Also how long a request waits for a free connection
  // when its origin already has max_connections_per_origin.
  std::chrono::milliseconds connect_timeout{5000};
  // From the request being written to the response head. Long enough for a slow model's first token.
  std::chrono::milliseconds first_byte_timeout{30000};
  // Between two reads of the body (and for writing the request); also how long an unused pooled
  // connection is kept open.
  std::chrono::milliseconds idle_timeout{30000};
  // Open connections (in use + idle) per origin. A bigger pool absorbs bursts; a smaller one is
  // kinder to the provider's per-client limits.
  std::size_t max_connections_per_origin = 64;
  // A bigger response is refused with upstream_error.
  std::size_t max_response_bytes = 16 * 1024 * 1024;
  // KEYRELAY_UPSTREAM_CA_FILE: PEM bundle trusted in addition to the system store.
  std::optional<std::filesystem::path> extra_ca_file;
};

// The cap per origin for a server whose operator set none: what the descriptor budget allows
// (`open_file_limit`, RLIMIT_NOFILE) for streams that each hold a client and a provider connection,
// never more than the server's own `max_client_connections`, never below a small floor.
std::size_t default_connections_per_origin(std::size_t open_file_limit, std::size_t max_client_connections);

// A response whose body is read piece by piece as it arrives (SSE, large downloads). Move-only.
// It holds its pooled connection: destroying it before the body ended closes that connection;
// reading the body to its end gives a keep-alive connection back to the pool. Not thread-safe: use
// it from one coroutine at a time.
class UpstreamStream {
 public:
  UpstreamStream();
  UpstreamStream(UpstreamStream&&) noexcept;
  UpstreamStream& operator=(UpstreamStream&&) noexcept;
  ~UpstreamStream();

  int status() const noexcept;
  const http::Headers& headers() const noexcept;  // without hop-by-hop headers
  std::chrono::milliseconds first_byte_latency() const noexcept;  // from open() to the response head
  bool done() const noexcept;  // the whole body has been read

  // The next piece of the body, as soon as some bytes arrived (de-chunked); empty once the body
  // ended. The view is valid until the next call. Errors as for fetch(); after one, the stream is
  // done and its connection closed.
  boost::asio::awaitable<core::Result<std::string_view>> read_some();

  // The rest of the body; upstream_error when it would exceed `max_bytes`.
  boost::asio::awaitable<core::Result<std::string>> read_rest(std::size_t max_bytes);

  struct Impl;
  explicit UpstreamStream(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

// Thread-safe: fetch() may be called concurrently from any thread or coroutine. The client must
// outlive every fetch() in flight, and the executor's execution context must outlive the client.
class UpstreamClient {
 public:
  // Throws std::runtime_error if extra_ca_file cannot be loaded (a start-up configuration error).
  UpstreamClient(boost::asio::any_io_executor executor, UpstreamOptions options);
  ~UpstreamClient();
  UpstreamClient(const UpstreamClient&) = delete;
  UpstreamClient& operator=(const UpstreamClient&) = delete;

  // Sends `request` and reads the whole response; a 3xx is returned as is. Errors:
  //   Errc::invalid_request  - the URL is not absolute http(s), or a header/method is malformed;
  //   Errc::upstream_timeout - a deadline of UpstreamOptions was hit;
  //   Errc::upstream_error   - DNS, connect or TLS failure, reset, malformed or too large response,
  //                            or no free connection to the origin within connect_timeout.
  // A reused connection that fails before any response byte is retried once on a fresh one.
  boost::asio::awaitable<core::Result<UpstreamResponse>> fetch(UpstreamRequest request);

  // Sends `request` and returns once the response head arrived; the body is read from the stream.
  // Same errors and retry rule as fetch().
  boost::asio::awaitable<core::Result<UpstreamStream>> open(UpstreamRequest request);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace keyrelay::gateway
