#pragma once
// TLS to Redis (rediss://) on the socket hiredis connected. Debian 12's hiredis (0.14) has no TLS
// of its own, so the bytes go through OpenSSL here and hiredis only formats the commands and parses
// the replies (redisFormatCommandArgv, redisReader) — the protocol code stays the library's.
//
// The server's certificate must chain to `ca_file` (or to the system's trust store when none is
// given) and name the host of the URL (DNS name or IP address); TLS 1.2 at least. A client
// certificate is sent when one is configured (Redis's default, tls-auth-clients yes, asks for one).
// Reads and writes block for at most the socket's timeouts (set by the caller). One thread at a time.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

struct ssl_st;
struct ssl_ctx_st;

namespace keyrelay::monitor {

struct RedisTlsFiles {
  std::optional<std::filesystem::path> ca_file;    // PEM CA bundle; absent: the system's trust store
  std::optional<std::filesystem::path> cert_file;  // PEM client certificate (with key_file)
  std::optional<std::filesystem::path> key_file;
};

class RedisTlsStream {
 public:
  // Handshakes on the connected socket `fd` (not owned) for `host`. unavailable naming `display`
  // and the reason (certificate not trusted, wrong name, handshake failed) when it does not verify.
  static core::Result<std::unique_ptr<RedisTlsStream>> open(int fd, const std::string& host, const RedisTlsFiles& files,
                                                            const std::string& display);
  ~RedisTlsStream();
  RedisTlsStream(const RedisTlsStream&) = delete;
  RedisTlsStream& operator=(const RedisTlsStream&) = delete;

  // Sends all of `bytes`. unavailable when the connection failed or timed out.
  core::Result<void> write_all(std::string_view bytes);
  // Reads what has arrived (at least one byte). unavailable on failure, timeout or close.
  core::Result<std::size_t> read_some(char* buffer, std::size_t size);

 private:
  RedisTlsStream(ssl_ctx_st* ctx, ssl_st* ssl, std::string display) : ctx_(ctx), ssl_(ssl), display_(std::move(display)) {}
  core::Error failure(std::string_view doing, int result) const;

  ssl_ctx_st* ctx_;
  ssl_st* ssl_;
  std::string display_;
};

}  // namespace keyrelay::monitor
