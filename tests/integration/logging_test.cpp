// The access log: one JSON object per line on stderr, one line per request with the fields an
// operator filters on, and never a credential or a request body.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <optional>
#include <string>

#include "api_json.h"
#include "support/keyrelay_server.h"

namespace keyrelay::test {
namespace {

using namespace std::chrono_literals;

// The log line of the request `request_id`: the JSON line that names that id and a status.
std::optional<boost::json::object> find_request_line(const std::string& logs,
                                                     std::string_view request_id) {
  for (auto line : lines_of(logs)) {
    auto object = parse_json_object(line);
    if (!object) continue;
    auto* id = object->if_contains("request_id");
    if (id != nullptr && id->is_string() && id->as_string() == request_id &&
        object->contains("status")) {
      return object;
    }
  }
  return std::nullopt;
}

// Polls the server's stderr until the request's log line appears (logging may be asynchronous).
std::optional<boost::json::object> wait_for_request_line(const KeyrelayServer& server,
                                                         std::string_view request_id) {
  std::optional<boost::json::object> line;
  poll_until(deadline_in(10s), [&] {
    line = find_request_line(server.stderr_text(), request_id);
    return line.has_value();
  });
  return line;
}

bool is_number(const boost::json::value* v) { return v != nullptr && v->is_number(); }

// The value of `key`, or JSON null when absent, so comparisons print instead of crashing.
boost::json::value field(const boost::json::object& object, std::string_view key) {
  auto* v = object.if_contains(key);
  return v != nullptr ? *v : boost::json::value(nullptr);
}

TEST(Logging, RequestIsLoggedAsJsonLineWithItsFields) {
  KeyrelayServer server;
  auto response = server.get("/healthz");
  ASSERT_EQ(response.status, 200);
  const std::string request_id = response.header("X-Request-Id").value_or("");
  ASSERT_FALSE(request_id.empty());

  auto line = wait_for_request_line(server, request_id);
  ASSERT_TRUE(line) << "no JSON log line with request_id " << request_id << "\n"
                    << server.stderr_text();
  const auto& fields = *line;
  const std::string text = boost::json::serialize(fields);
  EXPECT_EQ(field(fields, "method"), "GET") << text;
  EXPECT_EQ(field(fields, "route"), "/healthz") << text;
  ASSERT_TRUE(is_number(fields.if_contains("status"))) << text;
  EXPECT_EQ(fields.at("status").to_number<int>(), 200) << text;
  ASSERT_TRUE(is_number(fields.if_contains("duration_us"))) << text;
  EXPECT_GE(fields.at("duration_us").to_number<double>(), 0.0) << text;
  ASSERT_TRUE(is_number(fields.if_contains("bytes_in"))) << text;
  EXPECT_GE(fields.at("bytes_in").to_number<double>(), 0.0) << text;
  ASSERT_TRUE(is_number(fields.if_contains("bytes_out"))) << text;
  EXPECT_GT(fields.at("bytes_out").to_number<double>(), 0.0) << text;
  auto* level = fields.if_contains("level");
  ASSERT_TRUE(level != nullptr && level->is_string() && !level->as_string().empty()) << text;
  auto* time = fields.if_contains("time");
  ASSERT_TRUE(time != nullptr && time->is_string()) << text;
  // RFC 3339 UTC, as every time keyrelay writes.
  std::string_view when = time->as_string();
  EXPECT_TRUE(when.size() >= 20 && when[10] == 'T' && when.back() == 'Z') << text;
}

TEST(Logging, RouteIsThePatternNotTheRawTarget) {
  // Query strings can carry anything a client typed; the route field never does.
  KeyrelayServer server;
  auto response = server.get("/healthz?probe=route-field-check");
  ASSERT_EQ(response.status, 200) << describe(response);
  auto line = wait_for_request_line(server, response.header("X-Request-Id").value_or(""));
  ASSERT_TRUE(line) << server.stderr_text();
  EXPECT_EQ(field(*line, "route"), "/healthz") << boost::json::serialize(*line);
}

TEST(Logging, EveryStderrLineIsAJsonObject) {
  KeyrelayServer server;
  EXPECT_EQ(server.get("/healthz").status, 200);
  EXPECT_EQ(server.get("/nope").status, 404);
  ASSERT_EQ(server.stop(), 0) << server.logs();
  const std::string logs = server.stderr_text();
  ASSERT_FALSE(logs.empty());
  for (auto line : lines_of(logs)) {
    EXPECT_TRUE(parse_json_object(line)) << "not a JSON object: " << line;
  }
}

TEST(Logging, CredentialsAndBodiesNeverReachTheLog) {
  KeyrelayServer server;
  const HeaderList auth = {{"Authorization", "Bearer sekrit-token-123"},
                           {"X-Request-Id", "secret-check-1"}};
  const std::string body = R"({"secret":"body-secret-456"})";
  std::vector<HttpResponse> responses = {
      server.request("GET", "/healthz", auth, body),
      server.request("POST", "/nope", auth, body),
      server.request("POST", "/healthz", auth, body),
  };
  for (const auto& response : responses) {
    EXPECT_EQ(response.body.find("sekrit-token-123"), std::string::npos) << describe(response);
    EXPECT_EQ(response.body.find("body-secret-456"), std::string::npos) << describe(response);
  }
  // Stopping flushes whatever logging buffered, so the check sees everything.
  ASSERT_EQ(server.stop(), 0) << server.logs();
  const std::string logs = server.logs();
  ASSERT_NE(logs.find("secret-check-1"), std::string::npos)
      << "the requests were not logged at all, so this test proves nothing\n" << logs;
  EXPECT_EQ(logs.find("sekrit-token-123"), std::string::npos) << logs;
  EXPECT_EQ(logs.find("body-secret-456"), std::string::npos) << logs;
}

TEST(Logging, TextFormatLinesAreNotJsonButCarryTheRequestId) {
  KeyrelayServer server({.env = {{"KEYRELAY_LOG_FORMAT", "text"}}});
  auto response = server.get("/healthz", {{"X-Request-Id", "text-format-check-7"}});
  ASSERT_EQ(response.status, 200);

  std::string logs;
  bool logged = poll_until(deadline_in(10s), [&] {
    logs = server.stderr_text();
    return logs.find("text-format-check-7") != std::string::npos;
  });
  ASSERT_TRUE(logged) << "no log line carries the request id\n" << logs;
  for (auto line : lines_of(logs)) {
    EXPECT_FALSE(parse_json_object(line)) << "a JSON line in text format: " << line;
  }
}

}  // namespace
}  // namespace keyrelay::test
