#include "support/keyrelay_server.h"

#include <signal.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <stdexcept>

namespace keyrelay::test {
namespace {

// The port file holds the decimal port and a newline. It is written atomically, but reading the
// final newline as well guards against a server that writes it in pieces.
std::optional<std::uint16_t> parse_port_file(const std::string& text) {
  if (text.empty() || text.back() != '\n') return std::nullopt;
  unsigned value = 0;
  const char* end = text.data() + text.size() - 1;
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end || value == 0 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// True when GET /readyz on a fresh connection answers 200. Any failure means "not yet".
bool is_ready(std::uint16_t port, const std::optional<std::filesystem::path>& tls_ca) {
  auto attempt = HttpConnection::try_connect(port, std::chrono::milliseconds{1000});
  if (!attempt.connection) return false;
  try {
    if (tls_ca) attempt.connection->start_tls({.ca_file = *tls_ca});
    return attempt.connection->request("GET", "/readyz").status == 200;
  } catch (const HttpClientError&) {
    return false;
  }
}

}  // namespace

KeyrelayServer::KeyrelayServer(Options options) : tls_ca_(options.tls_ca) {
  const Deadline deadline = deadline_in(options.start_timeout);
  std::filesystem::create_directories(dir_ / "data");

  Environment env = {
      {"KEYRELAY_LISTEN", "127.0.0.1:0"},
      {"KEYRELAY_PORT_FILE", (dir_ / "port").string()},
      {"KEYRELAY_DATA_DIR", (dir_ / "data").string()},
      {"KEYRELAY_LOG_LEVEL", "info"},
  };
  for (const auto& name : options.unset_env) env.erase(name);
  for (const auto& [name, value] : options.env) env[name] = value;

  std::vector<std::string> argv = {KEYRELAY_BINARY, "serve"};
  argv.insert(argv.end(), options.args.begin(), options.args.end());
  process_.emplace(argv, env, dir_.path(), dir_.path());

  if (!env.contains("KEYRELAY_PORT_FILE")) {
    fail_start("KeyrelayServer needs KEYRELAY_PORT_FILE to learn the port");
  }
  const std::filesystem::path port_file = env.at("KEYRELAY_PORT_FILE");
  bool have_port = poll_until(deadline, [&] {
    if (!process_->is_running()) return true;
    if (auto port = parse_port_file(read_file_or_empty(port_file))) port_ = *port;
    return port_ != 0;
  });
  if (!process_->is_running()) fail_start("the server exited during start-up");
  if (!have_port) fail_start("no port in " + port_file.string() + " within the start deadline");
  wait_until_ready(deadline);
}

void KeyrelayServer::wait_until_ready(Deadline deadline) {
  bool ready = poll_until(deadline, [&] { return !process_->is_running() || is_ready(port_, tls_ca_); });
  if (!process_->is_running()) fail_start("the server exited before it was ready");
  if (!ready) fail_start("GET /readyz did not answer 200 within the start deadline");
}

void KeyrelayServer::fail_start(const std::string& why) {
  std::string message = "keyrelay serve failed to start: " + why;
  if (auto status = process_->wait_for_exit(SteadyClock::now())) {
    message += " (exit status " + std::to_string(*status) + ")";
  }
  message += "\n--- server output ---\n" + process_->output_text();
  throw std::runtime_error(message);
}

ExitStatus KeyrelayServer::stop(std::chrono::milliseconds timeout) {
  process_->send_signal(SIGTERM);
  auto status = process_->wait_for_exit(deadline_in(timeout));
  if (!status) {
    throw std::runtime_error("keyrelay did not exit within " + std::to_string(timeout.count()) +
                             " ms of SIGTERM\n--- server output ---\n" + logs());
  }
  return *status;
}

HttpConnection KeyrelayServer::connect() const {
  HttpConnection connection = HttpConnection::connect(port_);
  if (tls_ca_) connection.start_tls({.ca_file = *tls_ca_});
  return connection;
}

HttpResponse KeyrelayServer::request(std::string_view method, std::string_view target,
                                     const HeaderList& headers, std::string_view body) const {
  return connect().request(method, target, headers, body);
}

}  // namespace keyrelay::test
