#pragma once
// A private PostgreSQL server for one test: its own cluster (initdb) in a TempDir, listening on
// 127.0.0.1 at a free port with a password-protected superuser. The packaged service is never used.
// PostgreSQL refuses to run as root, so when the test runs as root (CI) every PostgreSQL binary runs
// as the `postgres` user through `runuser`; otherwise directly. The destructor stops the server
// (immediate mode) and removes the directory, leaving no process or file behind.
// Not thread-safe; not movable (the running server refers to the directory).

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace keyrelay::test {

class PostgresServer {
 public:
  // Creates the cluster and starts the server. Throws std::runtime_error with the failing command's
  // output when PostgreSQL is not installed, initdb fails or the server does not come up.
  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // "postgres://<user>:<password>@127.0.0.1:<port>/postgres", for libpq or keyrelay's settings.
  std::string url() const;
  std::uint16_t port() const { return port_; }
  const std::string& user() const { return user_; }
  const std::string& password() const { return password_; }
  // The postmaster's pid while running (from postmaster.pid); -1 when stopped.
  pid_t pid() const { return pid_; }
  const std::filesystem::path& directory() const { return dir_.path(); }

  // Stops the server (fast mode: open sessions are ended) and waits until it is down. Throws
  // std::runtime_error when pg_ctl fails.
  void stop();
  // Starts the stopped server again on the same port and data, and waits until it accepts
  // connections. Throws std::runtime_error when it does not come up.
  void start();

  // The server's own log (startup failures, statements that errored).
  std::string log() const;

 private:
  // Runs one PostgreSQL program (from the bin dir) to completion, as `postgres` when we are root.
  // Throws std::runtime_error with its output when it fails or runs past `timeout`.
  void run(const std::string& program, const std::vector<std::string>& args,
           std::chrono::milliseconds timeout);
  // pg_ctl start with our settings; false (with the output in `failure`) when it does not come up.
  bool try_start(std::string& failure);
  void stop_with_mode(const std::string& mode);
  pid_t read_postmaster_pid() const;

  TempDir dir_;
  std::filesystem::path bin_dir_;
  std::filesystem::path data_dir_;
  std::filesystem::path socket_dir_;
  std::filesystem::path log_file_;
  std::string user_ = "keyrelay_test";
  std::string password_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace keyrelay::test
