#pragma once
// A small blocking HTTP/1.1 client on a raw socket, written for tests that need to misbehave:
// send partial or malformed requests, trickle bytes, hold 1,000 keep-alive connections, and see
// exactly when the server closes. No HTTP library is involved, so the bytes on the wire are the
// bytes the test wrote (inside TLS once start_tls() ran). One HttpConnection is one TCP connection
// to 127.0.0.1; not thread-safe, move-only; the socket closes on destruction.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "support/deadline.h"
#include "support/http_message.h"
#include "support/tls_client.h"

namespace keyrelay::test {

// Thrown for what a test did not expect: a connect failure, a timeout, a truncated or malformed
// response. The message says what was received so far.
class HttpClientError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ConnectResult;

class HttpConnection {
 public:
  static constexpr std::chrono::milliseconds kDefaultTimeout{15000};

  // Connects to 127.0.0.1:`port`. `timeout` bounds the connect and, later, each send and each
  // read_response. Throws HttpClientError on failure.
  static HttpConnection connect(std::uint16_t port,
                                std::chrono::milliseconds timeout = kDefaultTimeout);
  // Like connect, but reports a failure as its errno (ECONNREFUSED when nothing listens).
  static ConnectResult try_connect(std::uint16_t port,
                                   std::chrono::milliseconds timeout = kDefaultTimeout);

  // Handshakes TLS on this connection (before any request); from then on every send and read goes
  // through it. Throws HttpClientError with OpenSSL's reason when the handshake fails.
  const TlsSessionInfo& start_tls(const TlsClientOptions& options);
  // What the handshake agreed on; nullptr on a plain connection.
  const TlsSessionInfo* tls() const { return tls_ ? &tls_->info() : nullptr; }

  ~HttpConnection();
  HttpConnection(HttpConnection&& other) noexcept;
  HttpConnection& operator=(HttpConnection&& other) noexcept;
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Sends all of `bytes`. False when the peer has closed or reset the connection (no SIGPIPE).
  // Throws HttpClientError on a send timeout or another error.
  [[nodiscard]] bool send(std::string_view bytes);

  // Reads one complete response (body framed by Content-Length, chunked encoding, or the close).
  // nullopt when the peer closed or reset the connection before the first byte of a response.
  // Throws HttpClientError on a timeout, a close in the middle of a response, or garbage.
  std::optional<HttpResponse> read_response();

  // format_request + send + read_response. Throws HttpClientError when there is no response.
  HttpResponse request(std::string_view method, std::string_view target,
                       const HeaderList& headers = {}, std::string_view body = {});

  // Waits until the peer closes or resets the connection (→ true) or `deadline` passes (→ false).
  // Bytes that arrive meanwhile are kept; read_response can still parse them afterwards.
  bool wait_for_close(Deadline deadline);

  // Waits up to `wait` for bytes and keeps what arrives in pending() (without parsing it): for
  // watching a streamed body arrive piece by piece. Returns how many bytes came.
  std::size_t read_available(std::chrono::milliseconds wait);

  // True when a read would not block (data, close or reset pending) within `wait`.
  bool is_readable_within(std::chrono::milliseconds wait) const;

  // True once a read saw the end of the stream or a reset.
  bool is_closed_by_peer() const { return peer_closed_; }
  bool was_reset() const { return reset_; }
  // Received bytes not yet consumed by read_response.
  const std::string& pending() const { return buffer_; }

  std::uint16_t local_port() const;
  int fd() const { return fd_; }

 private:
  HttpConnection(int fd, std::chrono::milliseconds timeout) : fd_(fd), timeout_(timeout) {}

  enum class Fill { data, closed, timeout };
  // One recv into buffer_, waiting at most until `deadline`.
  Fill fill(Deadline deadline);
  // One TLS read into buffer_, once the socket is readable.
  Fill fill_tls();
  // Reads until buffer_ holds at least `size` bytes; throws when the peer closes or time runs out.
  void fill_to(std::size_t size, Deadline deadline, std::string_view what);
  void close_fd();

  int fd_ = -1;
  std::chrono::milliseconds timeout_;
  std::string buffer_;
  bool peer_closed_ = false;
  bool reset_ = false;
  std::unique_ptr<TlsLayer> tls_;
};

struct ConnectResult {
  std::optional<HttpConnection> connection;
  int error = 0;  // errno when `connection` is empty
};

}  // namespace keyrelay::test
