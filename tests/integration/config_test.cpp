// Configuration as the operator meets it: environment variables and a TOML file given with
// --config, the environment winning; a bad value or an unknown key stops `serve` with exit 1 and
// a message naming the culprit.

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "api_json.h"
#include "raw_requests.h"
#include "support/keyrelay_command.h"
#include "support/keyrelay_server.h"
#include "support/deadline.h"
#include "support/temp_dir.h"

namespace keyrelay::test {
namespace {

// Status of a POST with a body of `size` bytes on a fresh connection (0 when closed unanswered).
int status_of_body(const KeyrelayServer& server, std::size_t size) {
  auto connection = server.connect();
  auto response = post_body_of_size(connection, size);
  return response ? response->status : 0;
}

TEST(Config, NonNumericBodyLimitInEnvironmentStopsServeNamingTheVariable) {
  auto result = run_keyrelay({"serve"}, {{"KEYRELAY_LISTEN", "127.0.0.1:0"},
                                         {"KEYRELAY_HTTP_MAX_BODY_BYTES", "abc"}});
  EXPECT_EQ(result.exit_status, 1) << result.output();
  EXPECT_NE(result.output().find("KEYRELAY_HTTP_MAX_BODY_BYTES"), std::string::npos)
      << result.output();
}

TEST(Config, UnknownKeyInConfigFileStopsServeNamingTheKey) {
  TempDir dir;
  auto file = dir.write_file("keyrelay.toml", "lisen = \"x\"\n");
  auto result =
      run_keyrelay({"serve", "--config", file.string()}, {{"KEYRELAY_LISTEN", "127.0.0.1:0"}});
  EXPECT_EQ(result.exit_status, 1) << result.output();
  EXPECT_NE(result.output().find("lisen"), std::string::npos) << result.output();
}

TEST(Config, ConfigFileSettingsAreHonoured) {
  TempDir dir;
  auto file = dir.write_file("keyrelay.toml",
                             "listen = \"127.0.0.1:0\"\n"
                             "\n"
                             "[http]\n"
                             "max_body_bytes = 1000\n");
  // No KEYRELAY_LISTEN: the port must come from the file's `listen` (else it would be 8080).
  KeyrelayServer server({.unset_env = {"KEYRELAY_LISTEN"}, .args = {"--config", file.string()}});
  EXPECT_NE(server.port(), 8080);
  EXPECT_EQ(status_of_body(server, 1001), 413) << server.logs();
  int at_limit = status_of_body(server, 1000);
  EXPECT_TRUE(at_limit == 404 || at_limit == 405) << at_limit;
}

TEST(Config, EnvironmentOverridesConfigFile) {
  TempDir dir;
  auto file = dir.write_file("keyrelay.toml",
                             "[http]\n"
                             "max_body_bytes = 1000\n");
  KeyrelayServer server({.env = {{"KEYRELAY_HTTP_MAX_BODY_BYTES", "2000"}},
                         .args = {"--config", file.string()}});
  int over_file_limit = status_of_body(server, 1001);
  EXPECT_TRUE(over_file_limit == 404 || over_file_limit == 405) << over_file_limit;
  EXPECT_EQ(status_of_body(server, 2001), 413) << server.logs();
}

// The variables named by "unknown environment variable" warnings in `logs` (JSON lines).
std::set<std::string> warned_variables(std::string_view logs) {
  std::set<std::string> names;
  for (auto line : lines_of(logs)) {
    auto object = parse_json_object(line);
    if (!object || !object->contains("variable")) continue;
    EXPECT_EQ(object->at("level").as_string(), "warn") << line;
    names.insert(std::string(object->at("variable").as_string()));
  }
  return names;
}

TEST(Config, AMisspeltVariableIsNamedInAWarningAtStartButNeverItsValue) {
  // Without the warning the default limit (10/1m) applies silently instead of the intended one.
  KeyrelayServer server({.env = {{"KEYRELAY_RATE_LIMT_MUTATIONS", "1/1m"},
                                 {"KEYRELAY_MASTERKEY", "c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1uZXZlci1sZWFr"},
                                 {"KEYRELAY_PROVIDER_OPENIA_BASE_URL", "http://127.0.0.1:9"},
                                 // Known ones, including a provider override and one with a default value.
                                 {"KEYRELAY_PROVIDER_OPENAI_BASE_URL", "http://127.0.0.1:9"},
                                 {"KEYRELAY_RATE_LIMIT_MUTATIONS", "10/1m"},
                                 {"KEYRELAY_LOG_FORMAT", "json"}}});
  std::set<std::string> warned;
  poll_until(deadline_in(std::chrono::seconds(5)), [&] {
    warned = warned_variables(server.stderr_text());
    return warned.size() >= 3;
  });
  EXPECT_EQ(warned, (std::set<std::string>{"KEYRELAY_MASTERKEY", "KEYRELAY_PROVIDER_OPENIA_BASE_URL",
                                           "KEYRELAY_RATE_LIMT_MUTATIONS"}))
      << server.stderr_text();
  EXPECT_EQ(server.logs().find("c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1uZXZlci1sZWFr"), std::string::npos)
      << "a misspelt variable may hold a secret";
}

TEST(Config, CommandsWarnAboutAMisspeltVariableToo) {
  TempDir dir;
  auto result = run_keyrelay({"init"}, {{"KEYRELAY_DATA_DIR", (dir.path() / "data").string()},
                                        {"KEYRELAY_RATE_LIMT_MUTATIONS", "1/1m"}});
  EXPECT_EQ(result.exit_status, 0) << result.output();
  EXPECT_NE(result.err.find("KEYRELAY_RATE_LIMT_MUTATIONS"), std::string::npos) << result.output();
  EXPECT_EQ(result.err.find("1/1m"), std::string::npos) << result.output();
}

}  // namespace
}  // namespace keyrelay::test
