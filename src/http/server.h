#pragma once
// The HTTP/1.1 server: an acceptor and one coroutine per connection, on N I/O threads that each run
// an io_context of their own; a connection lives on one of them for its whole life. Beast and Asio
// stay behind the pimpl so that code including this header compiles fast.
//
// Lifecycle: listen() binds; run() serves until a graceful shutdown completes (SIGINT/SIGTERM or
// shutdown()): the listener closes at once, idle keep-alive connections close, in-flight requests
// finish (answered with Connection: close) until shutdown_timeout, then the rest are cut.
// shutdown() and is_draining() are thread-safe; the router must outlive the server.

#include <cstdint>
#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "core/result.h"
#include "http/router.h"
#include "http/server_options.h"

namespace keyrelay::http {

class Server {
 public:
  Server(ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Returns the bound port (the chosen one when the configured port is 0).
  // Errc::invalid_request for an unresolvable address, Errc::unavailable when it cannot be bound.
  core::Result<std::uint16_t> listen();

  // Serves on the I/O threads until shutdown completes. Call after listen(); blocks.
  void run();

  // Starts a graceful shutdown; safe from any thread, idempotent.
  void shutdown();

  // TLS (ServerOptions::tls): listen() loads the certificate and key first and fails with
  // Errc::invalid_request naming the file when it cannot. reload_tls() reads them again for the
  // connections accepted from then on (established ones keep theirs); on a failure it logs why,
  // keeps serving the current certificate and returns the error. Thread-safe; it reads files, so
  // call it off the I/O threads. invalid_request when the server does not serve TLS.
  core::Result<void> reload_tls();
  bool serves_tls() const noexcept;
  // The bound address is a loopback one (127.0.0.0/8, ::1). Call after listen().
  bool listens_on_loopback() const;

  // True once shutdown has started (readiness turns false).
  bool is_draining() const noexcept;

  // Open connections right now.
  std::size_t connection_count() const;
  // Streamed responses (SSE, proxied downloads) being written now.
  std::int64_t open_streams() const noexcept;

  // The I/O context's executor, for clients (upstream calls) that should run on the same threads.
  boost::asio::any_io_executor executor() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace keyrelay::http
