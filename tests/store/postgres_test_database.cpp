#include "postgres_test_database.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "store/postgres/connection.h"
#include "support/postgres_server.h"

namespace keyrelay::store::test {
namespace {

class Databases {
 public:
  static Databases& instance() {
    static Databases databases;
    return databases;
  }

  std::string server_url() {
    std::lock_guard lock(mutex_);
    return server_url_locked();
  }

  std::string url_for(const std::filesystem::path& dir) {
    std::lock_guard lock(mutex_);
    const std::string base = server_url_locked();
    auto found = names_.find(dir);
    if (found == names_.end()) {
      const std::string name = fresh_name();
      auto conn = postgres::Connection::open({base});
      if (!conn) throw std::runtime_error("cannot reach the test PostgreSQL server: " + conn.error().message);
      if (auto made = (*conn)->exec("CREATE DATABASE " + name + " TEMPLATE template0", "creating a test database"); !made)
        throw std::runtime_error("cannot create a test database: " + made.error().message);
      found = names_.emplace(dir, name).first;
    }
    return database_url(base, found->second);
  }

  // Drops the databases this process created on the shared server (the lazily started server
  // goes away with its databases). Runs at the end of the test program but before exit, where
  // OpenSSL, which libpq needs to log in (SCRAM), has shut down.
  void drop_created() {
    std::lock_guard lock(mutex_);
    if (own_server_ || names_.empty() || base_url_.empty()) return;
    auto conn = postgres::Connection::open({base_url_});
    if (!conn) return;
    for (const auto& [dir, name] : names_)
      (void)(*conn)->exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "dropping a test database");
    names_.clear();
  }

 private:
  std::string server_url_locked() {
    if (!base_url_.empty()) return base_url_;
    if (const char* file = std::getenv("KEYRELAY_TEST_POSTGRES_URL_FILE"); file != nullptr && *file != '\0') {
      std::ifstream in(file);
      std::getline(in, base_url_);
      if (base_url_.empty())
        throw std::runtime_error(std::string("the shared test PostgreSQL server did not start (no URL in ") + file + ")");
      return base_url_;
    }
    own_server_ = std::make_unique<::keyrelay::test::PostgresServer>();
    base_url_ = own_server_->url();
    return base_url_;
  }

  // Unique across the test processes sharing the server.
  static std::string fresh_name() {
    static constexpr char kHex[] = "0123456789abcdef";
    std::random_device device;
    std::string name = "kr_test_";
    for (int i = 0; i < 16; ++i) name += kHex[device() % 16];
    return name;
  }

  // base ends in "/postgres" (PostgresServer::url()).
  static std::string database_url(const std::string& base, const std::string& name) {
    const auto slash = base.rfind('/');
    return base.substr(0, slash + 1) + name;
  }

  std::mutex mutex_;
  std::string base_url_;
  std::unique_ptr<::keyrelay::test::PostgresServer> own_server_;
  std::map<std::filesystem::path, std::string> names_;
};

class DropDatabasesAtTheEnd : public ::testing::Environment {
 public:
  void TearDown() override { Databases::instance().drop_created(); }
};

[[maybe_unused]] ::testing::Environment* const kDropDatabases =
    ::testing::AddGlobalTestEnvironment(new DropDatabasesAtTheEnd);

}  // namespace

std::string postgres_database_url(const std::filesystem::path& dir) { return Databases::instance().url_for(dir); }

std::string postgres_server_url() { return Databases::instance().server_url(); }

}  // namespace keyrelay::store::test
