// What a running server has loaded: libpq (and with it LDAP, GnuTLS, Kerberos …) only when it
// runs on PostgreSQL. Linked into the binary they cost every SQLite deployment about 3 MB of RSS
// and their start-up work (store/postgres/libpq.h).

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "cluster_harness.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

std::string mapped_files(pid_t pid) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::stringstream text;
  text << maps.rdbuf();
  return text.str();
}

TEST(LibraryLoading, AServerOnSqliteLoadsNeitherLibpqNorWhatItPullsIn) {
  VaultServer vault;
  const std::string maps = mapped_files(vault.server().pid());
  ASSERT_NE(maps.find("libsqlite3"), std::string::npos) << "the maps were read";
  for (const char* library : {"libpq.so", "libgnutls", "libldap", "libkrb5", "libsasl2"})
    EXPECT_EQ(maps.find(library), std::string::npos) << library << " is mapped";
}

TEST(LibraryLoading, AServerOnPostgresLoadsLibpqWhenItOpensTheStore) {
  Cluster cluster{Cluster::Options{.nodes = 1, .engine = Cluster::Engine::postgres, .redis = false, .env = {}}};
  const std::string maps = mapped_files(cluster.node(0).server().pid());
  EXPECT_NE(maps.find("libpq.so.5"), std::string::npos);
}

}  // namespace
}  // namespace keyrelay::test
