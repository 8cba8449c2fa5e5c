#include "monitor/redis/redis_tls.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <array>

namespace keyrelay::monitor {
namespace {

// OpenSSL's first queued error as text ("" when none), and the queue emptied.
std::string openssl_reason() {
  std::string reason;
  if (const unsigned long code = ERR_get_error(); code != 0) {
    std::array<char, 256> text{};
    ERR_error_string_n(code, text.data(), text.size());
    reason = text.data();
  }
  ERR_clear_error();
  return reason;
}

bool is_ip_address(const std::string& host) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 || inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

core::Result<void> load_files(SSL_CTX* ctx, const RedisTlsFiles& files, const std::string& display) {
  const auto refused = [&](const std::string& what) {
    return core::Error::unavailable("redis " + display + ": " + what + ": " + openssl_reason());
  };
  if (files.ca_file) {
    if (SSL_CTX_load_verify_locations(ctx, files.ca_file->c_str(), nullptr) != 1)
      return refused("cannot load the CA file " + files.ca_file->string());
  } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
    return refused("cannot load the system's trust store");
  }
  if (files.cert_file) {
    if (SSL_CTX_use_certificate_chain_file(ctx, files.cert_file->c_str()) != 1)
      return refused("cannot load the client certificate " + files.cert_file->string());
    const auto key = files.key_file ? *files.key_file : *files.cert_file;
    if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1)
      return refused("cannot load the client key " + key.string());
    if (SSL_CTX_check_private_key(ctx) != 1) return refused("the client key does not match its certificate");
  }
  return core::ok();
}

}  // namespace

core::Result<std::unique_ptr<RedisTlsStream>> RedisTlsStream::open(int fd, const std::string& host,
                                                                   const RedisTlsFiles& files,
                                                                   const std::string& display) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return core::Error::unavailable("redis " + display + ": TLS unavailable: " + openssl_reason());
  std::unique_ptr<RedisTlsStream> stream(new RedisTlsStream(ctx, nullptr, display));  // frees what it holds
  // The context is complete before SSL_new: an SSL copies its certificate, key and checks from it.
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_mode(ctx, SSL_MODE_AUTO_RETRY);
  if (auto loaded = load_files(ctx, files, display); !loaded) return loaded.error();
  SSL* ssl = SSL_new(ctx);
  if (ssl == nullptr) return core::Error::unavailable("redis " + display + ": TLS unavailable: " + openssl_reason());
  stream->ssl_ = ssl;
  // The name the certificate must carry: the URL's host, as an IP address or a DNS name (+ SNI).
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (is_ip_address(host)) {
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) return stream->failure("setting up TLS", 0);
  } else {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (SSL_set1_host(ssl, host.c_str()) != 1 || SSL_set_tlsext_host_name(ssl, host.c_str()) != 1)
      return stream->failure("setting up TLS", 0);
  }
  if (SSL_set_fd(ssl, fd) != 1) return stream->failure("setting up TLS", 0);
  if (const int r = SSL_connect(ssl); r != 1) {
    if (const long verified = SSL_get_verify_result(ssl); verified != X509_V_OK)
      return core::Error::unavailable("redis " + display + ": the server's certificate does not verify: " +
                                      X509_verify_cert_error_string(verified));
    return stream->failure("TLS handshake", r);
  }
  return stream;
}

RedisTlsStream::~RedisTlsStream() {
  if (ssl_ != nullptr) SSL_free(ssl_);  // no close_notify: the caller closes the socket right after
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
}

core::Error RedisTlsStream::failure(std::string_view doing, int result) const {
  std::string reason = openssl_reason();
  if (reason.empty() && result <= 0) {
    const int code = SSL_get_error(ssl_, result);
    reason = code == SSL_ERROR_ZERO_RETURN ? "closed by the server"
             : code == SSL_ERROR_SYSCALL   ? "connection failed or timed out"
                                           : "TLS error " + std::to_string(code);
  }
  return core::Error::unavailable("redis " + display_ + ": " + std::string(doing) + " failed: " + reason);
}

core::Result<void> RedisTlsStream::write_all(std::string_view bytes) {
  while (!bytes.empty()) {
    std::size_t written = 0;
    const int r = SSL_write_ex(ssl_, bytes.data(), bytes.size(), &written);
    if (r != 1) return failure("sending", r);
    bytes.remove_prefix(written);
  }
  return core::ok();
}

core::Result<std::size_t> RedisTlsStream::read_some(char* buffer, std::size_t size) {
  std::size_t read = 0;
  const int r = SSL_read_ex(ssl_, buffer, size, &read);
  if (r != 1) return failure("reading", r);
  return read;
}

}  // namespace keyrelay::monitor
