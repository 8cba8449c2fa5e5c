#include "support/redis_server.h"

#include <signal.h>

#include <stdexcept>

#include "support/deadline.h"
#include "support/local_port.h"
#include "support/redis_wire.h"

namespace keyrelay::test {
namespace {

constexpr int kStartAttempts = 3;  // a new port each time: another test may take ours first
constexpr auto kStartTimeout = std::chrono::seconds{20};

std::string redis_server_binary() {
  if (auto found = find_on_path("redis-server")) return found->string();
  for (const char* candidate : {"/usr/bin/redis-server", "/usr/local/bin/redis-server"}) {
    if (std::filesystem::exists(candidate)) return candidate;
  }
  throw std::runtime_error("redis-server is not installed; run scripts/install-deps.sh");
}

}  // namespace

RedisServer::RedisServer(Options options) : options_(std::move(options)) {
  if (options_.tls) certificates_ = make_test_certificates(dir_.path());
  std::string failure;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    port_ = pick_free_local_port();
    if (options_.tls) tls_port_ = pick_free_local_port();
    if (try_start(failure)) return;
  }
  throw std::runtime_error("redis-server did not start:\n" + failure);
}

std::string RedisServer::url() const {
  const std::string credentials = options_.password ? ":" + *options_.password + "@" : "";
  if (options_.tls) return "rediss://" + credentials + "127.0.0.1:" + std::to_string(tls_port_);
  return "redis://" + credentials + "127.0.0.1:" + std::to_string(port_);
}

void RedisServer::kill() {
  if (!process_) return;
  process_->send_signal(SIGKILL);
  process_->wait_for_exit(deadline_in(std::chrono::seconds{10}));
  process_.reset();
}

void RedisServer::start() {
  std::string failure;
  if (!try_start(failure)) throw std::runtime_error("redis-server did not restart:\n" + failure);
}

bool RedisServer::try_start(std::string& failure) {
  process_.reset();
  std::vector<std::string> argv = {redis_server_binary(), "--port", std::to_string(port_),
                                   "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                   "--dir", dir_.path().string(), "--daemonize", "no"};
  if (options_.password) {
    argv.push_back("--requirepass");
    argv.push_back(*options_.password);
  }
  if (options_.tls) {
    argv.insert(argv.end(), {"--tls-port", std::to_string(tls_port_), "--tls-cert-file",
                             certificates_.server_cert.string(), "--tls-key-file", certificates_.server_key.string(),
                             "--tls-ca-cert-file", certificates_.ca.string(), "--tls-auth-clients", "yes"});
  }
  process_.emplace(argv, Environment{}, dir_.path(), dir_.path());
  const bool up = poll_until(deadline_in(kStartTimeout), [&] {
    return answers_ping() || !process_->is_running();
  });
  if (up && process_->is_running()) return true;
  failure = "redis-server on port " + std::to_string(port_) +
            (process_->is_running() ? " did not answer PING" : " exited") + ":\n" +
            process_->output_text();
  kill();
  return false;
}

bool RedisServer::answers_ping() const {
  std::vector<RedisCommand> commands;
  if (options_.password) commands.push_back({"AUTH", *options_.password});
  commands.push_back({"PING"});
  const auto replies = redis_exchange(port_, commands);
  return replies && replies->back() == "+PONG";
}

}  // namespace keyrelay::test
