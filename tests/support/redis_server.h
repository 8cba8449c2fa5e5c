#pragma once
// A private redis-server for one test: a child process on 127.0.0.1 at a free port, working in its
// own TempDir, with persistence off (no RDB snapshots, no AOF) and optionally a password
// (--requirepass). The packaged service is never used. Redis runs fine as root, so no user switch.
// The destructor kills it and removes the directory.
// Not thread-safe; not movable.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "support/process.h"
#include "support/test_certificates.h"
#include "support/temp_dir.h"

namespace keyrelay::test {

class RedisServer {
 public:
  struct Options {
    // When set, clients must AUTH with it (redis-server --requirepass).
    std::optional<std::string> password;
    // TLS on a second port (tls_port(), url() then rediss://) with certificates made for the test
    // (certificates()); clients must present one the test CA signed. The plain port stays, for
    // the test's own inspection (redis_exchange) and the health check.
    bool tls = false;
  };

  // Starts redis-server and waits until it answers PING with +PONG. Throws std::runtime_error with
  // its output when it is not installed or does not come up.
  RedisServer() : RedisServer(Options{}) {}
  explicit RedisServer(Options options);
  ~RedisServer() = default;  // the Process member kills and reaps the server
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // "redis://127.0.0.1:<port>", or "redis://:<password>@127.0.0.1:<port>" with a password;
  // with TLS "rediss://…:<tls port>".
  std::string url() const;
  std::uint16_t port() const { return port_; }
  std::uint16_t tls_port() const { return tls_port_; }
  const TestCertificates& certificates() const { return certificates_; }
  const std::optional<std::string>& password() const { return options_.password; }
  // The server's pid while running; -1 when killed.
  pid_t pid() const { return process_ ? process_->pid() : -1; }
  const std::filesystem::path& directory() const { return dir_.path(); }

  // SIGKILL, as a crash would, and waits until it has exited.
  void kill();
  // Starts it again on the same port (empty: nothing was persisted) and waits for +PONG. Throws
  // std::runtime_error when it does not come up.
  void start();

  // Everything redis-server wrote so far (stderr then stdout).
  std::string logs() const { return process_ ? process_->output_text() : std::string(); }

 private:
  // Starts redis-server on port_; false (with its output in `failure`) when it does not answer.
  bool try_start(std::string& failure);
  bool answers_ping() const;

  Options options_;
  TempDir dir_;
  std::optional<Process> process_;
  std::uint16_t port_ = 0;
  std::uint16_t tls_port_ = 0;
  TestCertificates certificates_;
};

}  // namespace keyrelay::test
