// X-Request-Id: every response carries one; a well-formed incoming id is kept so a caller can
// trace its own id through keyrelay's logs; anything else is replaced, so a client cannot inject
// spaces, control characters or huge strings into the logs.

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "api_json.h"
#include "support/keyrelay_server.h"

namespace keyrelay::test {
namespace {

TEST(RequestId, EveryResponseCarriesOne) {
  KeyrelayServer server;
  const std::vector<HttpResponse> responses = {
      server.get("/healthz"),
      server.get("/readyz"),
      server.get("/nope"),
      server.request("POST", "/healthz"),
  };
  for (const auto& response : responses) {
    auto id = response.header("X-Request-Id");
    ASSERT_TRUE(id) << describe(response);
    EXPECT_TRUE(is_well_formed_request_id(*id)) << describe(response);
  }
}

TEST(RequestId, ErrorResponsesToMalformedRequestsCarryOne) {
  KeyrelayServer server;
  auto connection = server.connect();
  ASSERT_TRUE(connection.send("GARBAGE\r\n\r\n"));
  auto response = connection.read_response();
  ASSERT_TRUE(response) << "no response to a malformed request";
  auto id = response->header("X-Request-Id");
  ASSERT_TRUE(id) << describe(*response);
  EXPECT_TRUE(is_well_formed_request_id(*id)) << describe(*response);
}

TEST(RequestId, WellFormedIncomingIdIsEchoed) {
  KeyrelayServer server;
  const std::string ids[] = {"abc", "Req-1.2_3", "0", std::string(128, 'a')};
  for (const auto& id : ids) {
    auto response = server.get("/healthz", {{"X-Request-Id", id}});
    EXPECT_EQ(response.header("X-Request-Id"), id) << describe(response);
  }
}

TEST(RequestId, EchoedIdIsTheOneInTheErrorBody) {
  KeyrelayServer server;
  auto response = server.get("/nope", {{"X-Request-Id", "trace-me-42"}});
  EXPECT_EQ(response.header("X-Request-Id"), "trace-me-42") << describe(response);
  EXPECT_TRUE(is_api_error(response, 404, "not_found"));
}

TEST(RequestId, MalformedIncomingIdIsReplaced) {
  KeyrelayServer server;
  const std::string malformed[] = {"has spaces in it", std::string(300, 'a'),
                                   std::string(129, 'b'), "semi;colon", "slash/id", "quote\"id"};
  for (const auto& id : malformed) {
    auto response = server.get("/healthz", {{"X-Request-Id", id}});
    auto got = response.header("X-Request-Id");
    ASSERT_TRUE(got) << describe(response);
    EXPECT_NE(*got, id) << describe(response);
    EXPECT_TRUE(is_well_formed_request_id(*got)) << describe(response);
  }
}

TEST(RequestId, GeneratedIdsDifferBetweenRequests) {
  KeyrelayServer server;
  std::set<std::string> ids;
  constexpr int kRequests = 20;
  for (int i = 0; i < kRequests; ++i) {
    auto response = server.get("/healthz");
    ids.insert(response.header("X-Request-Id").value_or(""));
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kRequests));
}

}  // namespace
}  // namespace keyrelay::test
