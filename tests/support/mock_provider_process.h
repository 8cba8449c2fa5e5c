#pragma once
// The `keyrelay-mock-provider` executable, started for one test on an ephemeral port with its own
// temp dir (port file, captured output). It stands in for every catalog provider under
// http://127.0.0.1:<port>/<provider id> (validation calls and the three chat wires); the key's last
// '-' segment picks the answer (`valid`, `invalid`, `limited[N]`, `quota`, `error`, `slow[ms]`,
// `reset`, `cut`, `drip`, `overloaded`, `echo`: see tests/mock_provider/providers.h). The constructor returns once the mock answers; otherwise it
// throws with the mock's output in the message. Destroying a still-running mock kills it.
// Not thread-safe.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "support/process.h"
#include "support/temp_dir.h"

namespace keyrelay::test {

class MockProviderProcess {
 public:
  // Starts the mock and waits (up to `start_timeout`) until it listens. Throws std::runtime_error
  // (with the captured output) when it exits or writes no port in time.
  explicit MockProviderProcess(std::chrono::milliseconds start_timeout = std::chrono::milliseconds{20000});

  std::uint16_t port() const { return port_; }

  // "http://127.0.0.1:<port>/<provider_id>": the provider's base URL to configure in keyrelay.
  std::string base_url(std::string_view provider_id) const;

  // KEYRELAY_PROVIDER_<ID>_BASE_URL=base_url(id) for every catalog provider (id upper-cased,
  // '-' → '_'), ready to merge into KeyrelayServer::Options::env.
  Environment provider_env() const;

  // Every provider request the mock received since start or the last reset(), oldest first. Each
  // object has method, target, path, query (raw), query_params (decoded), headers (names
  // lower-case, repeated fields joined with ", ") and body. Throws std::runtime_error when the
  // mock does not answer.
  std::vector<boost::json::object> requests() const;

  // Forgets the recorded requests. Throws std::runtime_error when the mock does not answer.
  void reset();

  // SIGTERM, then waits up to `timeout` for the exit. Returns the exit status (0 on a clean stop);
  // throws std::runtime_error when the mock is still running at the deadline.
  ExitStatus stop(std::chrono::milliseconds timeout = std::chrono::milliseconds{10000});

  // Everything the mock wrote so far (stderr then stdout).
  std::string logs() const { return process_->output_text(); }

 private:
  [[noreturn]] void fail(const std::string& why) const;

  TempDir dir_;
  std::optional<Process> process_;
  std::uint16_t port_ = 0;
};

}  // namespace keyrelay::test
