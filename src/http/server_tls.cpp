#include "http/server_tls.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "logging/log.h"

namespace keyrelay::http {
namespace {

namespace ssl = boost::asio::ssl;
using core::Error;

// TLS 1.2: ECDHE key exchange with AEAD ciphers only (Mozilla's "intermediate" list without the
// DHE suites). TLS 1.3 keeps OpenSSL's suites, all AEAD.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// ALPN: HTTP/1.1 is the only protocol spoken here. A client that offers only others (h2 alone)
// gets the no_application_protocol alert, as RFC 7301 asks; one that offers none goes on without.
int select_alpn(SSL*, const unsigned char** out, unsigned char* out_len, const unsigned char* in, unsigned in_len,
                void*) {
  static constexpr unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  unsigned char selected_len = 0;
  if (SSL_select_next_proto(&selected, &selected_len, kHttp11, sizeof kHttp11, in, in_len) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  *out = selected;
  *out_len = selected_len;
  return SSL_TLSEXT_ERR_OK;
}

// A key protected by a passphrase is refused instead of OpenSSL asking for it on the terminal.
int refuse_passphrase(char*, int, int, void*) { return 0; }

core::Result<void> check_readable(const std::filesystem::path& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::invalid_request("cannot read the TLS " + std::string(what) + " file " + path.string() + ": " +
                                         std::strerror(errno));
  return core::ok();
}

std::string openssl_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

// Logs which certificate is now served (subject and expiry; nothing secret), and warns when it
// has expired already: clients would refuse every connection.
void log_certificate(SSL_CTX* context, const TlsFiles& files) {
  const X509* cert = SSL_CTX_get0_certificate(context);
  if (cert == nullptr) return;
  std::unique_ptr<BIO, decltype(&BIO_free)> subject(BIO_new(BIO_s_mem()), BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> not_after(BIO_new(BIO_s_mem()), BIO_free);
  X509_NAME_print_ex(subject.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  ASN1_TIME_print(not_after.get(), X509_get0_notAfter(cert));
  boost::json::object fields{{"cert_file", files.cert_file.string()},
                             {"subject", openssl_text(subject.get())},
                             {"not_after", openssl_text(not_after.get())}};
  if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0) logging::warn("the TLS certificate has expired", std::move(fields));
  else logging::info("TLS certificate loaded", std::move(fields));
}

core::Result<std::shared_ptr<ssl::context>> make_context(const TlsFiles& files) {
  if (auto r = check_readable(files.cert_file, "certificate"); !r) return r.error();
  if (auto r = check_readable(files.key_file, "private key"); !r) return r.error();
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_ALL);
  SSL_CTX_set_cipher_list(native, kTls12Ciphers);
  SSL_CTX_set_alpn_select_cb(native, select_alpn, nullptr);
  SSL_CTX_set_default_passwd_cb(native, refuse_passphrase);

  // The key first: a certificate loaded after a key it does not match drops the key, which the
  // check below then reports as the mismatch it is.
  boost::system::error_code ec;
  context->use_private_key_file(files.key_file.string(), ssl::context::pem, ec);
  if (ec)
    return Error::invalid_request("cannot use " + files.key_file.string() +
                                  " as the TLS private key (PEM, without a passphrase): " + ec.message());
  context->use_certificate_chain_file(files.cert_file.string(), ec);
  if (ec)
    return Error::invalid_request("cannot use " + files.cert_file.string() +
                                  " as the TLS certificate chain (PEM): " + ec.message());
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return Error::invalid_request("the TLS private key in " + files.key_file.string() +
                                  " does not match the certificate in " + files.cert_file.string());
  }
  return context;
}

}  // namespace

core::Result<std::unique_ptr<ServerTls>> ServerTls::load(TlsFiles files) {
  auto context = make_context(files);
  if (!context) return context.error();
  log_certificate((*context)->native_handle(), files);
  return std::unique_ptr<ServerTls>(new ServerTls(std::move(files), std::move(*context)));
}

std::shared_ptr<ssl::context> ServerTls::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

core::Result<void> ServerTls::reload() {
  auto context = make_context(files_);
  if (!context) return context.error();
  {
    std::lock_guard lock(mutex_);
    current_ = *context;
  }
  // Once it is served: the line tells that new connections get it.
  log_certificate((*context)->native_handle(), files_);
  return core::ok();
}

}  // namespace keyrelay::http
