#pragma once
// The real `keyrelay serve` binary, started for one test on an ephemeral port with its own temp
// dir (data dir, port file, captured output). The constructor returns only when the server
// answers GET /readyz with 200; otherwise it throws with the server's output in the message, so
// a start-up failure explains itself. Destroying a still-running server kills it.
// Not thread-safe.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "support/http_client.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace keyrelay::test {

class KeyrelayServer {
 public:
  struct Options {
    // Added to (or replacing) the defaults: KEYRELAY_LISTEN=127.0.0.1:0,
    // KEYRELAY_PORT_FILE=<tmp>/port, KEYRELAY_DATA_DIR=<tmp>/data, KEYRELAY_LOG_LEVEL=info.
    Environment env;
    // Default variables not to set at all, e.g. KEYRELAY_LISTEN when a config file sets `listen`.
    std::vector<std::string> unset_env;
    // Arguments after `serve`, e.g. {"--config", path}.
    std::vector<std::string> args;
    std::chrono::milliseconds start_timeout{20000};
    // Set when the server serves TLS (KEYRELAY_TLS_* in env): the CA its certificate chains to.
    // The readiness check and connect() then speak TLS.
    std::optional<std::filesystem::path> tls_ca;
  };

  // Starts the server and waits until it is ready. Throws std::runtime_error (message includes
  // the captured output) when it exits, writes no port, or does not become ready in time.
  explicit KeyrelayServer(Options options);
  KeyrelayServer() : KeyrelayServer(Options{}) {}

  std::uint16_t port() const { return port_; }
  // The temp dir this server owns; tests may put config files in it.
  const TempDir& dir() const { return dir_; }

  // Everything the server wrote so far: stderr (where logs go) then stdout.
  std::string logs() const { return process_->output_text(); }
  // Only what went to stderr: the log stream itself.
  std::string stderr_text() const { return process_->stderr_text(); }

  // SIGTERM, then waits up to `timeout` for the exit. Returns the exit status; throws
  // std::runtime_error (with the logs) when the server is still running at the deadline.
  ExitStatus stop(std::chrono::milliseconds timeout = std::chrono::milliseconds{20000});

  bool send_signal(int signo) { return process_->send_signal(signo); }
  pid_t pid() const { return process_->pid(); }
  std::optional<ExitStatus> wait_for_exit(Deadline deadline) {
    return process_->wait_for_exit(deadline);
  }
  bool is_running() { return process_->is_running(); }

  // A fresh connection to this server (TLS with the default client options when it serves TLS).
  HttpConnection connect() const;
  // One request on a fresh connection.
  HttpResponse request(std::string_view method, std::string_view target,
                       const HeaderList& headers = {}, std::string_view body = {}) const;
  HttpResponse get(std::string_view target, const HeaderList& headers = {}) const {
    return request("GET", target, headers);
  }

 private:
  [[noreturn]] void fail_start(const std::string& why);
  void wait_until_ready(Deadline deadline);

  TempDir dir_;
  std::optional<std::filesystem::path> tls_ca_;
  std::optional<Process> process_;
  std::uint16_t port_ = 0;
};

}  // namespace keyrelay::test
