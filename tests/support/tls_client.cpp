#include "support/tls_client.h"

#include <cerrno>
#include <stdexcept>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace keyrelay::test {
namespace {

std::string openssl_errors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char line[256];
    ERR_error_string_n(code, line, sizeof line);
    if (!text.empty()) text += "; ";
    text += line;
  }
  return text.empty() ? "no OpenSSL error recorded" : text;
}

std::string subject_of(const X509* cert) {
  if (cert == nullptr) return {};
  BIO* bio = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string text = size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
  BIO_free(bio);
  return text;
}

}  // namespace

struct TlsLayer::Handles {
  SSL_CTX* context = nullptr;
  SSL* ssl = nullptr;
  ~Handles() {
    if (ssl != nullptr) SSL_free(ssl);
    if (context != nullptr) SSL_CTX_free(context);
  }
};

TlsLayer::TlsLayer(int fd, const TlsClientOptions& options) : handles_(std::make_unique<Handles>()) {
  ERR_clear_error();
  SSL_CTX* context = handles_->context = SSL_CTX_new(TLS_client_method());
  if (context == nullptr) throw std::runtime_error("SSL_CTX_new: " + openssl_errors());
  // TLS 1.1 needs security level 0 in OpenSSL 3 (its SHA-1 signatures), else it is never offered.
  if (options.min_version != 0 && options.min_version < TLS1_2_VERSION) SSL_CTX_set_security_level(context, 0);
  if (options.min_version != 0) SSL_CTX_set_min_proto_version(context, options.min_version);
  if (options.max_version != 0) SSL_CTX_set_max_proto_version(context, options.max_version);
  if (SSL_CTX_load_verify_locations(context, options.ca_file.c_str(), nullptr) != 1)
    throw std::runtime_error("cannot load the CA " + options.ca_file.string() + ": " + openssl_errors());
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  // Hand back control after a non-application record (a TLS 1.3 session ticket), so a read with
  // a deadline never blocks on one.
  SSL_CTX_clear_mode(context, SSL_MODE_AUTO_RETRY);
  SSL* ssl = handles_->ssl = SSL_new(context);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");
  if (!options.alpn.empty()) {
    std::string wire;
    for (const auto& name : options.alpn) wire += static_cast<char>(name.size()) + name;
    SSL_set_alpn_protos(ssl, reinterpret_cast<const unsigned char*>(wire.data()), static_cast<unsigned>(wire.size()));
  }
  SSL_set_fd(ssl, fd);
  if (SSL_connect(ssl) != 1) throw std::runtime_error("TLS handshake failed: " + openssl_errors());
  info_.version = SSL_get_version(ssl);
  const unsigned char* chosen = nullptr;
  unsigned chosen_len = 0;
  SSL_get0_alpn_selected(ssl, &chosen, &chosen_len);
  info_.alpn.assign(reinterpret_cast<const char*>(chosen), chosen_len);
  info_.peer_subject = subject_of(SSL_get0_peer_certificate(ssl));
}

TlsLayer::~TlsLayer() = default;

TlsLayer::Io TlsLayer::write(std::string_view data) {
  while (!data.empty()) {
    ERR_clear_error();
    const int n = SSL_write(handles_->ssl, data.data(), static_cast<int>(data.size()));
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    const int error = SSL_get_error(handles_->ssl, n);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) continue;
    if (error == SSL_ERROR_ZERO_RETURN || (error == SSL_ERROR_SYSCALL && (errno == EPIPE || errno == ECONNRESET)))
      return Io::closed;
    last_error_ = openssl_errors();
    return Io::error;
  }
  return Io::done;
}

TlsLayer::Io TlsLayer::read(std::string& out) {
  char chunk[16384];
  ERR_clear_error();
  errno = 0;
  const int n = SSL_read(handles_->ssl, chunk, sizeof chunk);
  if (n > 0) {
    out.append(chunk, static_cast<std::size_t>(n));
    return Io::done;
  }
  const int error = SSL_get_error(handles_->ssl, n);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return Io::again;
  if (error == SSL_ERROR_ZERO_RETURN) return Io::closed;
  if (error == SSL_ERROR_SYSCALL && errno == ECONNRESET) return Io::reset;
  if (error == SSL_ERROR_SYSCALL && (errno == 0 || errno == EPIPE)) return Io::closed;  // end of stream
  if (error == SSL_ERROR_SSL && ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
    ERR_clear_error();
    return Io::closed;
  }
  if (error == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return Io::again;
  last_error_ = openssl_errors();
  return Io::error;
}

bool TlsLayer::has_pending() const { return SSL_pending(handles_->ssl) > 0; }

}  // namespace keyrelay::test
