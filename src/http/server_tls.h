#pragma once
// The TLS side of keyrelay's own listener: an OpenSSL server context (TLS 1.2 and 1.3 only, a
// modern cipher list, ALPN "http/1.1") made from a certificate chain and its private key in PEM
// files. Internal to http/ (includes Asio's ssl).
//
// A reload makes a whole new context from the files and swaps it in: connections accepted after it
// are served with the new certificate, established ones keep the context they were made with (each
// holds a reference to it). A failed reload keeps the current context. Thread-safe: one mutex
// guards the current context pointer; the contexts themselves are not changed once made.

#include <filesystem>
#include <memory>
#include <mutex>

#include <boost/asio/ssl/context.hpp>

#include "core/result.h"
#include "http/server_options.h"

namespace keyrelay::http {

class ServerTls {
 public:
  // Reads `files`. invalid_request naming the file and the reason: unreadable, not a PEM
  // certificate or key, a key protected by a passphrase, or a key that does not match the
  // certificate.
  static core::Result<std::unique_ptr<ServerTls>> load(TlsFiles files);

  // The context new connections are made with.
  std::shared_ptr<boost::asio::ssl::context> current() const;

  // Reads the files again and swaps the new context in; on an error (as load()) the current one
  // stays. Blocking file I/O: call it off the I/O threads.
  core::Result<void> reload();

  const TlsFiles& files() const noexcept { return files_; }

 private:
  ServerTls(TlsFiles files, std::shared_ptr<boost::asio::ssl::context> context)
      : files_(std::move(files)), current_(std::move(context)) {}

  const TlsFiles files_;
  mutable std::mutex mutex_;  // guards current_
  std::shared_ptr<boost::asio::ssl::context> current_;
};

}  // namespace keyrelay::http
