#pragma once
// Several keyrelay nodes on one store, end to end (issue 13): a private PostgreSQL (or, for the
// single-node default, one SQLite file), optionally a private Redis, the mock provider, one keyring
// file every node reads, and N `keyrelay serve` processes, each a VaultServer of its own (own data
// dir, own port) on the shared store. Node 0 initializes the store; the others join it as its admin.
// Not thread-safe (the servers themselves are called from any thread through their ports).

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/mock_provider_process.h"
#include "support/postgres_server.h"
#include "support/redis_server.h"
#include "support/temp_dir.h"
#include "vault_harness.h"

namespace keyrelay::test {

class Cluster {
 public:
  enum class Engine { postgres, sqlite };
  struct Options {
    std::size_t nodes = 2;
    Engine engine = Engine::postgres;
    bool redis = true;
    // Added to every node's environment (limits, intervals …).
    Environment env;
  };

  explicit Cluster(Options options);
  Cluster() : Cluster(Options{}) {}

  VaultServer& node(std::size_t i) { return *nodes_.at(i); }
  std::size_t size() const { return nodes_.size(); }
  const Identity& admin() const { return admin_; }
  // What a node's server and CLI get besides its data dir: the database, keyring and Redis URLs.
  const Environment& shared_env() const { return shared_; }
  const std::string& database_url() const { return database_url_; }

  // Only with Engine::postgres / redis = true.
  PostgresServer& postgres() { return *postgres_; }
  RedisServer& redis() { return *redis_; }
  MockProviderProcess& mock() { return mock_; }

  // Kills node `i` with SIGKILL (as a crash would) and waits for it; its logs stay readable.
  void kill_node(std::size_t i);
  // Every node's logs, for failure messages.
  std::string logs() const;

 private:
  MockProviderProcess mock_;
  TempDir shared_dir_;
  std::unique_ptr<PostgresServer> postgres_;
  std::unique_ptr<RedisServer> redis_;
  std::string database_url_;
  Environment shared_;
  Identity admin_;
  std::vector<std::unique_ptr<VaultServer>> nodes_;
};

// A provider secret that makes the mock answer with `behaviour` (see gateway_harness.h).
std::string cluster_secret(std::string_view provider, std::string_view behaviour);

}  // namespace keyrelay::test
