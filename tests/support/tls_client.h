#pragma once
// The client side of TLS for the raw test client (HttpConnection::start_tls): OpenSSL on the
// connection's socket, with the protocol versions and ALPN a test chooses, so a test can offer
// TLS 1.1 only, or see which certificate a server presented. Blocking, like HttpConnection.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace keyrelay::test {

struct TlsClientOptions {
  std::filesystem::path ca_file;  // the server's chain must lead to this CA (and name 127.0.0.1)
  int min_version = 0;            // TLS1_1_VERSION, TLS1_2_VERSION, …; 0: OpenSSL's default
  int max_version = 0;
  std::vector<std::string> alpn = {"http/1.1"};  // offered in this order; empty: no ALPN
};

// What a handshake agreed on.
struct TlsSessionInfo {
  std::string version;       // "TLSv1.3"
  std::string alpn;          // the protocol the server chose; empty when none
  std::string peer_subject;  // the server certificate's subject, e.g. "CN=keyrelay-test-server"
};

// One TLS session on a connected socket it does not own. Not thread-safe.
class TlsLayer {
 public:
  // Handshakes on `fd`. Throws std::runtime_error with OpenSSL's reason when it fails.
  TlsLayer(int fd, const TlsClientOptions& options);
  ~TlsLayer();
  TlsLayer(const TlsLayer&) = delete;
  TlsLayer& operator=(const TlsLayer&) = delete;

  const TlsSessionInfo& info() const { return info_; }

  enum class Io { done, closed, reset, again, error };
  // Writes all of `data`; done, closed (the peer is gone) or error.
  Io write(std::string_view data);
  // Reads what one record gives into `out`: done (bytes appended), closed (close_notify or end of
  // stream), reset, again (no application data yet: a handshake message was processed), error.
  Io read(std::string& out);
  // Decrypted bytes waiting to be read.
  bool has_pending() const;

  // OpenSSL's text for the last error.
  std::string last_error() const { return last_error_; }

 private:
  struct Handles;
  std::unique_ptr<Handles> handles_;
  TlsSessionInfo info_;
  std::string last_error_;
};

}  // namespace keyrelay::test
