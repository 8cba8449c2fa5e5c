// MCP servers with the user's key (issue 16 item 3), end to end: the operator registers two MCP
// servers (catalog kind mcp) built with the official MCP TypeScript SDK (tests/mcp/mcp_server.mjs:
// one answers with JSON and takes its key in a header, the other answers with event streams and
// takes its key as a query parameter); the official SDK's client (tests/mcp/mcp_client_check.mjs)
// talks to them through keyrelay's /mcp/{server} with a keyrelay token. The servers check the key
// they receive and that no keyrelay token reaches them; this test checks what they logged, the
// audit, and the refusals. node and tests/mcp/node_modules come from scripts/install-deps.sh.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gateway_harness.h"
#include "support/deadline.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// tests/mcp, found beside tests/vectors (the one source path the test binary is given).
fs::path mcp_dir() { return fs::path(KEYRELAY_TEST_VECTORS).parent_path() / "mcp"; }

// The SDK-built MCP server, accepting `keys`; its request log is one JSON object per stdout line.
class McpServerProcess {
 public:
  explicit McpServerProcess(const std::vector<std::string>& keys) {
    const auto node = find_on_path("node");
    if (!node) throw std::runtime_error("node is not on PATH: run scripts/install-deps.sh (make test does)");
    std::string list;
    for (const auto& key : keys) list += (list.empty() ? "" : ",") + key;
    process_.emplace(std::vector<std::string>{node->string(), (mcp_dir() / "mcp_server.mjs").string()},
                     Environment{{"MCP_KEYS", list}, {"MCP_PORT_FILE", (dir_ / "port").string()}}, mcp_dir(), dir_.path());
    const bool listening = poll_until(deadline_in(20s), [&] {
      return !process_->is_running() || read_file_or_empty(dir_ / "port").ends_with('\n');
    });
    if (!listening || !process_->is_running())
      throw std::runtime_error("the MCP server did not start:\n" + process_->output_text());
    port_ = std::stoi(read_file_or_empty(dir_ / "port"));
  }

  std::string url(std::string_view path) const { return "http://127.0.0.1:" + std::to_string(port_) + std::string(path); }

  // The requests it answered so far, in order.
  std::vector<json::object> requests() const {
    std::vector<json::object> out;
    std::istringstream lines(process_->stdout_text());
    for (std::string line; std::getline(lines, line);)
      if (!line.empty()) out.push_back(json::parse(line).as_object());
    return out;
  }
  std::string output() const { return process_->output_text(); }

 private:
  TempDir dir_;
  std::optional<Process> process_;
  int port_ = 0;
};

// The operator's catalog file: the two MCP servers of `mcp`.
fs::path write_catalog(const TempDir& dir, const McpServerProcess& mcp) {
  const json::object initialize{
      {"jsonrpc", "2.0"},
      {"id", 1},
      {"method", "initialize"},
      {"params", json::object{{"protocolVersion", "2025-06-18"},
                              {"capabilities", json::object{}},
                              {"clientInfo", json::object{{"name", "keyrelay"}, {"version", "1"}}}}}};
  auto server = [&](std::string_view id, std::string_view path, json::object auth) {
    return json::object{{"id", id},
                        {"name", "Test MCP " + std::string(id)},
                        {"kind", "mcp"},
                        {"fields", json::array{"api_key"}},
                        {"base_url", mcp.url(path)},
                        {"auth", std::move(auth)},
                        {"extra_headers", json::object{{"Accept", "application/json, text/event-stream"}}},
                        {"validate", json::object{{"method", "POST"}, {"path", ""}, {"body", initialize}}},
                        {"signup_url", "https://mcp.example.internal/keys"},
                        {"docs_url", "https://mcp.example.internal/docs"}};
  };
  const auto file = dir / "mcp-servers.json";
  std::ofstream(file) << json::serialize(json::array{
      server("mcp-json", "/json", json::object{{"in", "header"}, {"name", "X-Api-Key"}, {"format", "{key}"}}),
      server("mcp-sse", "/sse", json::object{{"in", "query"}, {"name", "token"}, {"format", "{key}"}})});
  return file;
}

struct SdkRun {
  ExitStatus status = -1;
  std::string output;
};

// The SDK client check for `servers` as `who`, expecting each server to see `expect_key`.
SdkRun run_client(VaultServer& vault, const Identity& who, const std::string& servers, const std::string& expect_key) {
  const auto node = find_on_path("node");
  TempDir out;
  Process run({node->string(), (mcp_dir() / "mcp_client_check.mjs").string()},
              {{"KEYRELAY_URL", "http://127.0.0.1:" + std::to_string(vault.server().port())},
               {"KEYRELAY_TOKEN", who.token},
               {"KEYRELAY_MCP_SERVERS", servers},
               {"KEYRELAY_MCP_EXPECT_MCP_JSON", expect_key.substr(expect_key.size() - 8)},
               {"KEYRELAY_MCP_EXPECT_MCP_SSE", expect_key.substr(expect_key.size() - 8)}},
              mcp_dir(), out.path());
  const auto status = run.wait_for_exit(deadline_in(60s));
  return {status.value_or(-1), run.output_text()};
}

class McpGateway : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(find_on_path("node").has_value()) << "node is not on PATH: run scripts/install-deps.sh";
    ASSERT_TRUE(fs::is_directory(mcp_dir() / "node_modules" / "@modelcontextprotocol" / "sdk"))
        << mcp_dir() << "/node_modules lacks @modelcontextprotocol/sdk: run scripts/install-deps.sh (make test does)";
  }

  const std::string alice_key = "alice-mcp-" + random_base64url(24);
  const std::string bob_key = "bob-mcp-" + random_base64url(24);
  McpServerProcess mcp{{alice_key, bob_key}};
  TempDir dir;
  VaultServer vault{VaultServer::Options{.env = {{"KEYRELAY_CATALOG_FILE", write_catalog(dir, mcp).string()}}}};
  const Identity alice = vault.add_user("alice");
  const Identity bob = vault.add_user("bob");
};

TEST_F(McpGateway, TheOfficialSdkClientListsAndCallsToolsWithTheUsersKeyOverJsonAndEventStreams) {
  const std::string json_key = str(create_key(vault, alice, "mcp-json", "mine", alice_key), "id");
  const std::string sse_key = str(create_key(vault, alice, "mcp-sse", "mine", alice_key), "id");
  const Identity gateway = vault.issue_token(alice, "gateway");

  const SdkRun run = run_client(vault, gateway, "mcp-json,mcp-sse", alice_key);
  ASSERT_EQ(run.status, 0) << run.output << "--- MCP server ---\n" << mcp.output() << "--- keyrelay ---\n" << vault.logs();

  // What the servers saw: the session header both ways, the protocol version, a GET event stream
  // and a DELETE, each with alice's key (in the header on /json, the query on /sse), all answered.
  for (const std::string path : {"/json", "/sse"}) {
    std::set<std::string> methods;
    std::size_t with_session = 0, with_version = 0;
    std::set<std::string> post_answers;  // the Content-Types of the POSTs answered with 200
    for (const auto& r : mcp.requests()) {
      if (text_of(r.at("path")) != path) continue;
      methods.insert(text_of(r.at("method")));
      EXPECT_EQ(text_of(r.at("key")), alice_key.substr(alice_key.size() - 8)) << json::serialize(r);
      EXPECT_LT(r.at("status").as_int64(), 400) << json::serialize(r);
      with_session += r.at("session").is_string();
      with_version += r.at("protocol_version").is_string();
      if (text_of(r.at("method")) == "POST" && r.at("status").as_int64() == 200)
        post_answers.insert(text_of(r.at("content_type")).substr(0, text_of(r.at("content_type")).find(';')));
    }
    EXPECT_EQ(methods, (std::set<std::string>{"POST", "GET", "DELETE"})) << path << "\n" << mcp.output();
    const std::string expected_type = path == "/json" ? "application/json" : "text/event-stream";
    EXPECT_EQ(post_answers, std::set<std::string>{expected_type}) << path << "\n" << mcp.output();
    EXPECT_GE(with_session, 4u) << path << "\n" << mcp.output();
    EXPECT_GE(with_version, 4u) << path << "\n" << mcp.output();
  }

  // Every call was a use of alice's key, audited.
  for (const auto& key : {json_key, sse_key}) {
    const std::string query = "action=key.used&key_id=" + key;
    EXPECT_TRUE(poll_until(deadline_in(10s), [&] { return audit_events(vault, alice, query).size() >= 4; }))
        << audit_events(vault, alice, query).size() << " key.used events of " << key;
  }
}

TEST_F(McpGateway, AUserWithoutAKeyGetsAClearErrorAndAnotherUsersKeyIsNeverUsed) {
  create_key(vault, alice, "mcp-json", "mine", alice_key);
  const Identity bob_gateway = vault.issue_token(bob, "gateway");
  const std::string initialize =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},)"
      R"("clientInfo":{"name":"raw","version":"1"}}})";
  const HeaderList headers{{"Accept", "application/json, text/event-stream"}};

  auto refused = vault.call(bob_gateway, "POST", "/mcp/mcp-json", initialize, headers);
  EXPECT_EQ(refused.status, 424) << refused.body;
  EXPECT_EQ(text_of(object_of(refused).at("error").at("code")), "no_usable_key") << refused.body;
  EXPECT_TRUE(mcp.requests().empty()) << mcp.output();  // alice's key did not serve bob

  // With a key of his own, bob is served with it.
  create_key(vault, bob, "mcp-json", "his", bob_key);
  const SdkRun run = run_client(vault, bob_gateway, "mcp-json", bob_key);
  ASSERT_EQ(run.status, 0) << run.output << "--- MCP server ---\n" << mcp.output();
  for (const auto& r : mcp.requests()) EXPECT_EQ(text_of(r.at("key")), bob_key.substr(bob_key.size() - 8));
}

TEST_F(McpGateway, OnlyMcpServersAreReachableAndOnlyWithAGatewayToken) {
  create_key(vault, alice, "mcp-json", "mine", alice_key);
  const Identity gateway = vault.issue_token(alice, "gateway");
  const Identity keys_only = vault.issue_token(alice, "keys:read");
  EXPECT_EQ(vault.call(gateway, "POST", "/mcp/nowhere", "{}").status, 404);
  EXPECT_EQ(vault.call(gateway, "POST", "/mcp/openai", "{}").status, 404);  // a provider, not an MCP server
  EXPECT_EQ(vault.call(gateway, "POST", "/proxy/mcp-json/x", "{}").status, 404);
  EXPECT_EQ(vault.send("POST", "/mcp/mcp-json", {{"Content-Type", "application/json"}}, "{}").status, 401);
  EXPECT_EQ(vault.call(keys_only, "POST", "/mcp/mcp-json", "{}").status, 403);
  EXPECT_EQ(vault.call(gateway, "PUT", "/mcp/mcp-json", "{}").status, 405);
  EXPECT_TRUE(mcp.requests().empty()) << mcp.output();
}

}  // namespace
}  // namespace keyrelay::test
