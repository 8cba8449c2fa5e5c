// The test harness's private PostgreSQL (tests/support/postgres_server.h): it starts as root or not,
// accepts a password login over TCP, survives a restart, and leaves nothing behind.

#include <libpq-fe.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "support/local_port.h"
#include "support/postgres_server.h"

namespace keyrelay::test {
namespace {

using Connection = std::unique_ptr<PGconn, decltype(&PQfinish)>;

// The single value of `SELECT 1` over a fresh libpq connection to `url`, or libpq's error message.
std::string select_one(const std::string& url) {
  Connection connection(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(connection.get()) != CONNECTION_OK) {
    return std::string("connection failed: ") + PQerrorMessage(connection.get());
  }
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(connection.get(), "SELECT 1"),
                                                       &PQclear);
  if (PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
    return std::string("query failed: ") + PQerrorMessage(connection.get());
  }
  return PQgetvalue(result.get(), 0, 0);
}

TEST(PostgresServer, AcceptsThePasswordOverTcpAndAnswersSelectOne) {
  PostgresServer server;
  EXPECT_EQ(select_one(server.url()), "1") << server.log();
  EXPECT_NE(server.url().find("@127.0.0.1:" + std::to_string(server.port()) + "/"),
            std::string::npos);
}

TEST(PostgresServer, RefusesAWrongPassword) {
  PostgresServer server;
  const std::string wrong = "postgres://" + server.user() + ":wrong@127.0.0.1:" +
                            std::to_string(server.port()) + "/postgres";
  EXPECT_NE(select_one(wrong).find("password authentication failed"), std::string::npos);
}

TEST(PostgresServer, AnswersAgainAfterStopAndStart) {
  PostgresServer server;
  ASSERT_EQ(select_one(server.url()), "1");
  const pid_t first = server.pid();

  server.stop();
  EXPECT_FALSE(local_port_accepts_connections(server.port()));
  EXPECT_TRUE(process_is_gone(first));
  EXPECT_EQ(server.pid(), -1);

  server.start();
  EXPECT_EQ(select_one(server.url()), "1") << server.log();
  EXPECT_NE(server.pid(), first);
}

TEST(PostgresServer, LeavesNoProcessPortOrFileBehind) {
  std::uint16_t port = 0;
  pid_t pid = -1;
  std::filesystem::path directory;
  {
    PostgresServer server;
    ASSERT_EQ(select_one(server.url()), "1");
    port = server.port();
    pid = server.pid();
    directory = server.directory();
    ASSERT_TRUE(local_port_accepts_connections(port));
    ASSERT_FALSE(process_is_gone(pid));
  }
  EXPECT_FALSE(local_port_accepts_connections(port));
  EXPECT_TRUE(process_is_gone(pid));
  EXPECT_FALSE(std::filesystem::exists(directory));
}

TEST(PostgresServer, TwoRunAtOnceOnDifferentPorts) {
  PostgresServer first;
  PostgresServer second;
  EXPECT_NE(first.port(), second.port());
  EXPECT_EQ(select_one(first.url()), "1");
  EXPECT_EQ(select_one(second.url()), "1");
}

}  // namespace
}  // namespace keyrelay::test
