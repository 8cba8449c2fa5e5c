// Many concurrent keep-alive connections, and several requests on one connection.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/fd_limit.h"
#include "support/keyrelay_server.h"

namespace keyrelay::test {
namespace {

TEST(Connections, ThousandKeepAliveConnectionsAreEachServedTwice) {
  constexpr std::size_t kConnections = 1000;
  // Raised before the server starts, so the server inherits the higher limit too.
  const std::size_t wanted = kConnections + 256;
  ASSERT_GE(raise_open_file_limit(wanted), wanted) << "RLIMIT_NOFILE hard limit too low";
  // All 1,000 come from 127.0.0.1: the per-address cap (256 by default) is not what this measures.
  KeyrelayServer server({.env = {{"KEYRELAY_HTTP_MAX_CONNECTIONS_PER_CLIENT", "0"}}});

  std::vector<HttpConnection> connections;
  connections.reserve(kConnections);
  for (std::size_t i = 0; i < kConnections; ++i) connections.push_back(server.connect());

  // All requests go out before any response is read, so all 1,000 are open and busy at once.
  // The responses are small enough to wait in the kernel's buffers until read in turn.
  const std::string request = format_request("GET", "/healthz", {}, "");
  for (int round = 1; round <= 2; ++round) {
    for (std::size_t i = 0; i < kConnections; ++i) {
      ASSERT_TRUE(connections[i].send(request)) << "round " << round << ", connection " << i;
    }
    std::size_t served = 0;
    std::string first_failure;
    for (std::size_t i = 0; i < kConnections; ++i) {
      std::string failure;
      try {
        auto response = connections[i].read_response();
        if (!response) {
          failure = "closed without a response";
        } else if (response->status != 200 || response->says_connection_close()) {
          failure = describe(*response);
        }
      } catch (const HttpClientError& e) {
        failure = e.what();
      }
      if (failure.empty()) {
        ++served;
      } else if (first_failure.empty()) {
        first_failure = "connection " + std::to_string(i) + ": " + failure;
      }
    }
    ASSERT_EQ(served, kConnections) << "round " << round << ", first failure: " << first_failure;
  }
}

TEST(Connections, ConnectionsFromOneAddressAreCapped) {
  // The test's connections come from loopback, which is exempt unless counted explicitly.
  KeyrelayServer server({.env = {{"KEYRELAY_HTTP_MAX_CONNECTIONS_PER_CLIENT", "3"},
                                 {"KEYRELAY_HTTP_CAP_LOOPBACK_CLIENTS", "true"}}});
  // The harness's readiness probe may still count for a moment after it closed: until the server
  // noticed, a connection is refused and tried again.
  std::vector<HttpConnection> open;
  for (int i = 0; i < 3; ++i) {
    int status = 0;
    for (int attempt = 0; attempt < 100 && status != 200; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      auto connection = server.connect();
      const auto response = connection.request("GET", "/healthz");
      status = response.status;
      if (status == 200) open.push_back(std::move(connection));
    }
    ASSERT_EQ(status, 200) << "connection " << i;
  }
  auto fourth = server.connect();
  auto refused = fourth.read_response();
  ASSERT_TRUE(refused) << "closed without a response\n" << server.logs();
  EXPECT_EQ(refused->status, 503) << describe(*refused);
  EXPECT_TRUE(refused->says_connection_close());
}

TEST(Connections, OneConnectionServesManyRequests) {
  KeyrelayServer server;
  auto connection = server.connect();
  for (int i = 0; i < 50; ++i) {
    auto response = connection.request("GET", i % 2 == 0 ? "/healthz" : "/nope");
    ASSERT_EQ(response.status, i % 2 == 0 ? 200 : 404) << "request " << i << "\n"
                                                       << describe(response);
  }
}

TEST(Connections, PipelinedRequestsAreAnsweredInOrder) {
  // HTTP/1.1 lets a client send the next request before the previous answer arrives.
  KeyrelayServer server;
  auto connection = server.connect();
  std::string batch;
  for (int i = 0; i < 5; ++i) {
    batch += format_request("GET", "/healthz", {{"X-Request-Id", "pipe-" + std::to_string(i)}}, "");
  }
  ASSERT_TRUE(connection.send(batch));
  for (int i = 0; i < 5; ++i) {
    auto response = connection.read_response();
    ASSERT_TRUE(response) << "closed before response " << i;
    EXPECT_EQ(response->status, 200) << describe(*response);
    EXPECT_EQ(response->header("X-Request-Id"), "pipe-" + std::to_string(i));
  }
}

}  // namespace
}  // namespace keyrelay::test
