// Failed authentications cannot grow the database without bound (issue 12, item 12): auth.failed
// events are coalesced per client address group and window into one event with a count, on the
// writer's prunable use chain, so retention removes them and `audit verify` still passes. IPv6
// clients are locked out (and counted) by their /64, since one subscriber picks addresses from it at
// will. Neighbours in a /64 come through a trusted proxy's X-Forwarded-For (loopback has a single
// IPv6 address); one test speaks to a dual-stack server over a real IPv6 socket.

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <stdexcept>

#include "api_json.h"
#include "raw_database.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

const std::string kUnknownToken = "kr_" + std::string(43, 'A');

TEST(AuthFailureAudit, AThousandFailuresFromOneAddressAreAFewRowsCarryingTheirCount) {
  VaultServer vault;  // no lockout: every attempt reaches the authenticator
  auto connection = vault.server().connect();
  for (int i = 0; i < 1000; ++i) {
    auto r = connection.request("GET", "/api/v1/keys", {{"Authorization", "Bearer " + kUnknownToken}});
    ASSERT_EQ(r.status, 401) << "attempt " << i + 1;
  }
  vault.stop();  // what is still counted in memory is written at shutdown

  {
    RawDatabase db(vault.database_file());
    const int rows = std::stoi(db.value("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.failed'"));
    EXPECT_GE(rows, 1);
    EXPECT_LE(rows, 3) << "one row per failure again?";
    EXPECT_EQ(db.value("SELECT SUM(json_extract(details_json, '$.count')) FROM audit_log WHERE action = 'auth.failed'"),
              "1000");
    EXPECT_EQ(db.column("SELECT chain FROM audit_log WHERE action = 'auth.failed' AND chain NOT LIKE '%/use'").size(),
              0u)
        << "auth.failed belongs on the prunable use chain, not the management chain kept forever";
  }
  auto verified = vault.cli({"audit", "verify"});
  EXPECT_EQ(verified.exit_status, 0) << verified.output();

  // Retention removes them like key.used, and the chains still verify.
  auto pruned = vault.cli({"audit", "prune", "--older-than", "1ms"});
  ASSERT_EQ(pruned.exit_status, 0) << pruned.output();
  EXPECT_EQ(RawDatabase(vault.database_file()).value("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.failed'"),
            "0");
  verified = vault.cli({"audit", "verify"});
  EXPECT_EQ(verified.exit_status, 0) << verified.output();
}

TEST(AuthFailureAudit, AnIpv6NeighbourInTheSame64IsLockedOutToo) {
  VaultServer vault({.env = {{"KEYRELAY_TRUSTED_PROXIES", "127.0.0.1"},
                             {"KEYRELAY_RATE_LIMIT_AUTH_FAILURES", "3/1m"},
                             {"KEYRELAY_RATE_LIMIT_AUTH_BLOCK", "15m"}}});
  auto from = [&](const std::string& client) {
    return vault.send("GET", "/api/v1/keys", {{"Authorization", "Bearer " + kUnknownToken}, {"X-Forwarded-For", client}});
  };
  for (int i = 0; i < 4; ++i) from("2001:db8:1:2::1");
  EXPECT_TRUE(is_api_error(from("2001:db8:1:2::1"), 429, "rate_limited"));
  // Another address of the same /64 (written differently, too) is the same client.
  EXPECT_TRUE(is_api_error(from("2001:DB8:1:2:ffff:eeee:dddd:cccc"), 429, "rate_limited"));
  // The next /64 is someone else, and so is an IPv4 client.
  EXPECT_TRUE(is_api_error(from("2001:db8:1:3::1"), 401, "unauthenticated"));
  EXPECT_TRUE(is_api_error(from("203.0.113.7"), 401, "unauthenticated"));
}

TEST(AuthFailureAudit, AnIpv4MappedClientIsLockedOutWithItsIpv4Address) {
  VaultServer vault({.env = {{"KEYRELAY_TRUSTED_PROXIES", "127.0.0.1"},
                             {"KEYRELAY_RATE_LIMIT_AUTH_FAILURES", "3/1m"},
                             {"KEYRELAY_RATE_LIMIT_AUTH_BLOCK", "15m"}}});
  auto from = [&](const std::string& client) {
    return vault.send("GET", "/api/v1/keys", {{"Authorization", "Bearer " + kUnknownToken}, {"X-Forwarded-For", client}});
  };
  for (int i = 0; i < 4; ++i) from("::ffff:203.0.113.7");
  EXPECT_TRUE(is_api_error(from("203.0.113.7"), 429, "rate_limited"));
  EXPECT_TRUE(is_api_error(from("203.0.113.8"), 401, "unauthenticated")) << "IPv4 is locked out per address";
}

// The status of GET /api/v1/keys with `authorization`, sent from ::1 (the test client speaks IPv4).
int status_from_ipv6_loopback(std::uint16_t port, const std::string& authorization) {
  const int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("no IPv6 socket");
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_port = htons(port);
  address.sin6_addr = in6addr_loopback;
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot connect to [::1]:" + std::to_string(port));
  }
  const std::string request =
      format_request("GET", "/api/v1/keys", {{"Authorization", authorization}, {"Connection", "close"}}, {});
  for (std::size_t sent = 0; sent < request.size();) {
    const auto n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  std::string answer;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) answer.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  if (!answer.starts_with("HTTP/1.1 ") || answer.size() < 12) throw std::runtime_error("no answer: " + answer);
  return std::stoi(answer.substr(9, 3));
}

TEST(AuthFailureAudit, AnIpv6PeerIsLockedOutOnARealSocketAndItsValidTokenStillServed) {
  // Dual-stack: IPv6 peers arrive as "::1", IPv4 ones as "::ffff:127.0.0.1" (their IPv4 group).
  VaultServer vault({.env = {{"KEYRELAY_LISTEN", "[::]:0"},
                             {"KEYRELAY_RATE_LIMIT_AUTH_FAILURES", "3/1m"},
                             {"KEYRELAY_RATE_LIMIT_AUTH_BLOCK", "15m"}}});
  const Identity alice = vault.add_user("alice");
  const auto port = vault.server().port();
  for (int i = 0; i < 4; ++i) status_from_ipv6_loopback(port, "Bearer " + kUnknownToken);
  EXPECT_EQ(status_from_ipv6_loopback(port, "Bearer " + kUnknownToken), 429);
  EXPECT_EQ(status_from_ipv6_loopback(port, "Bearer " + alice.token), 200) << "a valid token is never refused";
  // The IPv4 client is another group.
  EXPECT_TRUE(is_api_error(vault.send("GET", "/api/v1/keys", {{"Authorization", "Bearer " + kUnknownToken}}), 401,
                           "unauthenticated"));
}

}  // namespace
}  // namespace keyrelay::test
