// GET /api/v1/openapi.json end to end: served without a token, exactly src/api/openapi.json; the
// running server's own comparison of its router with the document (logged once at start) finds
// no route undescribed and no description without a route; and tests/openapi/openapi_check.mjs
// validates the document with a maintained OpenAPI 3.1 validator (pinned in its lockfile) and
// real answers of this server against the document's response schemas.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "support/mock_provider_process.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

std::filesystem::path source_dir() { return std::filesystem::path(KEYRELAY_TEST_VECTORS).parent_path().parent_path(); }

std::string source_document() {
  std::ifstream in(source_dir() / "src" / "api" / "openapi.json");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The "openapi document" line a server logs at start, or null.
std::optional<json::object> coverage_line(const std::string& logs) {
  std::istringstream lines(logs);
  for (std::string line; std::getline(lines, line);) {
    boost::system::error_code ec;
    auto v = json::parse(line, ec);
    if (!ec && v.is_object() && v.as_object().contains("msg") && v.as_object().at("msg") == "openapi document")
      return v.as_object();
  }
  return std::nullopt;
}

TEST(OpenApi, TheServerServesTheDocumentWithoutAToken) {
  VaultServer vault;
  auto response = vault.send("GET", "/api/v1/openapi.json", {});
  ASSERT_EQ(response.status, 200) << describe(response);
  EXPECT_EQ(response.header("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(response.body), json::parse(source_document())) << "the embedded document is the source file";
}

TEST(OpenApi, TheDocumentDescribesEveryRouteTheServerServesAndNoOther) {
  VaultServer vault;
  auto line = coverage_line(vault.logs());
  ASSERT_TRUE(line.has_value()) << "no 'openapi document' line in the server's log:\n" << vault.logs();
  EXPECT_GT(line->at("routes").as_int64(), 60) << "the comparison saw the whole router";
  EXPECT_TRUE(line->at("undocumented").as_array().empty())
      << "routes the server serves that src/api/openapi.json does not describe: " << json::serialize(line->at("undocumented"));
  EXPECT_TRUE(line->at("unserved").as_array().empty())
      << "operations src/api/openapi.json describes that no route serves: " << json::serialize(line->at("unserved"));
}

std::filesystem::path checks_dir() { return source_dir() / "tests" / "openapi"; }

TEST(OpenApi, TheDocumentValidatesAndRealAnswersMatchItsSchemas) {
  const auto node = find_on_path("node");
  ASSERT_TRUE(node.has_value()) << "node is not on PATH: run scripts/install-deps.sh (make test does)";
  ASSERT_TRUE(std::filesystem::is_directory(checks_dir() / "node_modules" / "@seriousme" / "openapi-schema-validator"))
      << checks_dir() << "/node_modules is missing: run scripts/install-deps.sh (make test does)";

  MockProviderProcess mock;
  VaultServer vault{VaultServer::Options{mock.provider_env()}};
  const Identity alice = vault.add_user("alice");
  auto key = create_key(vault, alice, "openai", "main", "sk-proj-" + random_base64url(40) + "-valid");
  ASSERT_EQ(vault.call(alice, "POST", "/v1/chat/completions",
                       R"({"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})").status, 200);
  ASSERT_EQ(vault.call(alice, "PUT", "/api/v1/caps", R"({"daily_usd":3})").status, 200);

  TempDir out;
  Process run({node->string(), (checks_dir() / "openapi_check.mjs").string()},
              {{"KEYRELAY_URL", "http://127.0.0.1:" + std::to_string(vault.server().port())},
               {"KEYRELAY_ADMIN_TOKEN", vault.admin().token},
               {"KEYRELAY_USER_TOKEN", alice.token},
               {"KEYRELAY_KEY_ID", str(key, "id")},
               {"KEYRELAY_USER_ID", alice.user_id},
               {"KEYRELAY_OPENAPI_FILE", (source_dir() / "src" / "api" / "openapi.json").string()}},
              checks_dir(), out.path());
  const auto status = run.wait_for_exit(deadline_in(std::chrono::milliseconds(60000)));
  ASSERT_TRUE(status.has_value()) << "the check ran longer than a minute:\n" << run.output_text();
  EXPECT_EQ(*status, 0) << "node openapi_check.mjs:\n" << run.output_text() << "--- keyrelay ---\n" << vault.server().logs();
}

}  // namespace
}  // namespace keyrelay::test
