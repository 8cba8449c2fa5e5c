#include "cluster_harness.h"

#include <csignal>
#include <stdexcept>

#include "gateway_harness.h"
#include "support/keyrelay_command.h"
#include "support/deadline.h"

namespace keyrelay::test {

Cluster::Cluster(Options options) {
  if (options.engine == Engine::postgres) {
    postgres_ = std::make_unique<PostgresServer>();
    database_url_ = postgres_->url();
  } else {
    database_url_ = "sqlite://" + (shared_dir_ / "keyrelay.db").string();
  }
  shared_["KEYRELAY_DATABASE_URL"] = database_url_;
  // The keyring every node reads, made once as an operator would (`keygen --keyring`).
  const auto keyring = shared_dir_ / "keyring.toml";
  shared_["KEYRELAY_KEYRING_FILE"] = keyring.string();
  if (auto made = run_keyrelay({"keygen", "--keyring", keyring.string()}); made.exit_status != 0)
    throw std::runtime_error("keyrelay keygen --keyring failed: " + made.output());
  if (options.redis) {
    redis_ = std::make_unique<RedisServer>();
    shared_["KEYRELAY_REDIS_URL"] = redis_->url();
  }
  Environment env = mock_.provider_env();
  for (const auto& [name, value] : options.env) env[name] = value;
  for (std::size_t i = 0; i < options.nodes; ++i) {
    VaultServer::Options node;
    node.env = env;
    node.shared_env = shared_;
    if (i > 0) node.joins = admin_;
    nodes_.push_back(std::make_unique<VaultServer>(std::move(node)));
    if (i == 0) admin_ = nodes_.front()->admin();
  }
}

void Cluster::kill_node(std::size_t i) {
  auto& server = node(i).server();
  server.send_signal(SIGKILL);
  if (!server.wait_for_exit(deadline_in(std::chrono::seconds(10))))
    throw std::runtime_error("node " + std::to_string(i) + " did not die on SIGKILL");
}

std::string Cluster::logs() const {
  std::string out;
  for (std::size_t i = 0; i < nodes_.size(); ++i) out += "---- node " + std::to_string(i) + "\n" + nodes_[i]->logs();
  return out;
}

std::string cluster_secret(std::string_view provider, std::string_view behaviour) {
  return Gateway::secret_for(provider, behaviour);
}

}  // namespace keyrelay::test
