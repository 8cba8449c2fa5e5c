// `keyrelay import fernet` end to end (issue 15 item 5, shared/import-fernet.md): inputs made by
// Python's `cryptography` (make_fernet_rows.py) are imported into a running server's store with
// the real binary, and the keys then work through the gateway against the mock provider. Both
// schemes, per-row iterations, users created, the audit chain, all or nothing, --skip-bad,
// --dry-run, duplicates, a wrong master secret, a tampered token — and no plaintext anywhere.

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <chrono>

#include "core/encoding.h"
#include "gateway_harness.h"
#include "raw_database.h"
#include "support/deadline.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const std::string kMaster = "Y2x1Yi1tYXN0ZXItc2VjcmV0LWZvci10ZXN0cy0wMDE=";

std::string salt_of(std::string_view user) { return core::base64_encode(core::as_bytes("salt:" + std::string(user))); }

json::object row(std::string_view user, std::string_view provider, std::string_view name, std::string_view secret) {
  return {{"user", user}, {"provider", provider}, {"name", name}, {"secret", secret}, {"salt", salt_of(user)}};
}

std::string texts(const std::vector<json::object>& items) {
  std::string out;
  for (const auto& item : items) out += json::serialize(item) + "\n";
  return out;
}

class ImportFernet : public ::testing::Test {
 protected:
  // The input for `rows` as the source system would have written it.
  std::string input(const json::array& rows, std::string_view scheme = "per-user-salt") {
    const std::string name = "rows" + std::to_string(++inputs_);
    const auto spec = dir.write_file(name + ".json", json::serialize(json::object{
                                                         {"master", kMaster}, {"scheme", scheme}, {"rows", rows}}));
    const auto out = dir / (name + ".jsonl");
    Process python({"/usr/bin/python3", std::string(KEYRELAY_INTEGRATION_DIR) + "/make_fernet_rows.py", spec.string(),
                    out.string()},
                   {}, dir.path(), dir.path());
    if (python.wait_for_exit(deadline_in(60s)) != 0) throw std::runtime_error("make_fernet_rows.py failed:\n" + python.output_text());
    return out.string();
  }
  CommandResult import(const std::string& rows, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"import", "fernet", "--master-secret-file", master_file, "--input", rows};
    args.insert(args.end(), extra.begin(), extra.end());
    return gw.vault.cli(args);
  }
  Identity login(const std::string& name) { return gw.vault.issue_token(Identity{"", name, "", ""}, std::nullopt); }
  std::vector<json::object> keys_of(const Identity& who) { return list_all(gw.vault, who, "/api/v1/keys"); }
  // The database file and its WAL, as bytes.
  std::string database_bytes() const {
    return read_file_or_empty(gw.vault.database_file()) + read_file_or_empty(gw.vault.data_dir() / "keyrelay.db-wal");
  }
  // No secret in the command's output, the server's logs or the database files.
  void expect_nowhere(const std::vector<std::string>& secrets, const CommandResult& run) const {
    const std::string db = database_bytes(), logs = gw.vault.logs();
    for (const auto& s : secrets) {
      EXPECT_EQ(run.output().find(s), std::string::npos) << "a plaintext secret in the command's output";
      EXPECT_EQ(logs.find(s), std::string::npos) << "a plaintext secret in the server's log";
      EXPECT_EQ(db.find(s), std::string::npos) << "a plaintext secret in the database file";
    }
  }
  std::size_t imported_events() { return audit_events(gw.vault, gw.vault.admin(), "action=key.imported").size(); }

  Gateway gw;
  TempDir dir;
  std::string master_file = dir.write_file("master", kMaster + "\n").string();
  int inputs_ = 0;
};

TEST_F(ImportFernet, PerUserSaltKeysOfNewAndExistingUsersWorkThroughTheGateway) {
  // alice holds no key yet: the server caches that, and must learn of the import by itself.
  EXPECT_NE(gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini")).status, 200);
  const std::string alice_openai = Gateway::secret_for("openai", "valid");
  const std::string dave_anthropic = Gateway::secret_for("anthropic", "valid");
  const std::string dave_openai = Gateway::secret_for("openai", "valid");
  auto dave_work = row("dave", "anthropic", "work", dave_anthropic);
  dave_work["iterations"] = 2000;  // per-row iterations: this row's salt derives differently
  dave_work["created_at"] = "2023-05-06T07:08:09Z";
  dave_work["expires_at"] = "2031-01-01T00:00:00Z";
  auto run = import(input(json::array{row("alice", "openai", "main", alice_openai), dave_work,
                                      row("dave", "openai", "personal", dave_openai)}));
  ASSERT_EQ(run.exit_status, 0) << run.output();
  EXPECT_NE(run.out.find("imported 3 keys of 3 rows; created 1 user; 0 bad rows"), std::string::npos) << run.out;

  EXPECT_TRUE(poll_until(deadline_in(5s), [&] { return gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini")).status == 200; },
                         100ms))
      << "the running server serves the imported key";
  auto seen = gw.upstream_requests("/openai/chat/completions");
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(text_of(seen.back().at("headers").at("authorization")), "Bearer " + alice_openai);

  const Identity dave = login("dave");
  ASSERT_EQ(gw.chat(dave, Gateway::chat_body("anthropic/claude-3-5-haiku-latest")).status, 200);
  auto to_anthropic = gw.upstream_requests("/anthropic/v1/messages");
  ASSERT_EQ(to_anthropic.size(), 1u);
  EXPECT_EQ(text_of(to_anthropic[0].at("headers").at("x-api-key")), dave_anthropic);
  const auto keys = keys_of(dave);
  ASSERT_EQ(keys.size(), 2u);
  for (const auto& key : keys) {
    EXPECT_TRUE(is_key_shape(key));
    if (str(key, "name") != "work") continue;
    EXPECT_EQ(str(key, "created_at"), "2023-05-06T07:08:09.000Z");
    EXPECT_EQ(str(key, "expires_at"), "2031-01-01T00:00:00.000Z");
    EXPECT_EQ(str(key, "hint"), "\u2026" + dave_anthropic.substr(dave_anthropic.size() - 4)) << "the API's hint";
  }

  auto verified = gw.vault.cli({"audit", "verify"});
  EXPECT_EQ(verified.exit_status, 0) << verified.output();
  const auto events = audit_events(gw.vault, gw.vault.admin(), "action=key.imported");
  ASSERT_EQ(events.size(), 3u);
  for (const auto& e : events) {
    EXPECT_TRUE(is_audit_event_shape(e));
    EXPECT_EQ(text_of(e.at("details").at("source")), "fernet");
    EXPECT_GE(e.at("details").at("line").as_int64(), 1);
  }
  std::size_t dave_created = 0;
  for (const auto& e : audit_events(gw.vault, gw.vault.admin(), "action=user.created"))
    dave_created += text_of(e.at("details").at("name")) == "dave" ? 1 : 0;
  EXPECT_EQ(dave_created, 1u);
  expect_nowhere({alice_openai, dave_anthropic, dave_openai}, run);
}

TEST_F(ImportFernet, EnvelopeKeysOpenThroughTheirDataKeys) {
  const std::string secret = Gateway::secret_for("openai", "valid");
  const std::string second = Gateway::secret_for("gemini", "valid");
  auto run = import(input(json::array{row("erin", "openai", "main", secret), row("erin", "gemini", "main", second)},
                          "envelope"),
                    {"--scheme", "envelope"});
  ASSERT_EQ(run.exit_status, 0) << run.output();
  const Identity erin = login("erin");
  ASSERT_EQ(gw.chat(erin, Gateway::chat_body("gpt-4o-mini")).status, 200);
  EXPECT_EQ(text_of(gw.upstream_requests("/openai/chat/completions").back().at("headers").at("authorization")),
            "Bearer " + secret);
  EXPECT_EQ(keys_of(erin).size(), 2u);

  auto wrong_scheme = import(input(json::array{row("frank", "openai", "main", Gateway::secret_for("openai", "valid"))},
                                   "envelope"));
  EXPECT_EQ(wrong_scheme.exit_status, 1);
  EXPECT_NE(wrong_scheme.err.find("line 1: data_key given, but the scheme is per-user-salt"), std::string::npos)
      << wrong_scheme.output();
  expect_nowhere({secret, second}, run);
}

TEST_F(ImportFernet, OneBadRowImportsNothingAndNamesItsLine) {
  const std::string before = texts(keys_of(gw.alice));
  auto tampered = row("gina", "openai", "b", Gateway::secret_for("openai", "valid"));
  tampered["tamper"] = true;
  const std::vector<std::string> secrets{Gateway::secret_for("openai", "valid"), Gateway::secret_for("openai", "valid")};
  auto rows = input(json::array{row("alice", "openai", "a", secrets[0]), row("gina", "openai", "a", secrets[1]),
                                tampered});
  auto run = import(rows);
  EXPECT_EQ(run.exit_status, 1) << run.output();
  EXPECT_NE(run.err.find("line 3: token: Fernet token: HMAC mismatch"), std::string::npos) << run.err;
  EXPECT_NE(run.out.find("imported 0 keys of 3 rows; created 0 users; 1 bad row (nothing is imported"), std::string::npos)
      << run.out;
  EXPECT_EQ(texts(keys_of(gw.alice)), before) << "the store is unchanged";
  EXPECT_EQ(gw.vault.cli({"user", "list"}).out.find("gina"), std::string::npos) << "no user was created";
  EXPECT_EQ(imported_events(), 0u);
  expect_nowhere(secrets, run);
}

TEST_F(ImportFernet, SkipBadImportsTheGoodRowsAndReportsEveryBadOneByLine) {
  const std::string stored_secret = Gateway::secret_for("openai", "valid");
  create_key(gw.vault, gw.alice, "openai", "stored", stored_secret);
  std::vector<std::string> secrets;
  for (int i = 0; i < 10; ++i) secrets.push_back(Gateway::secret_for("openai", "valid"));
  auto wrong_master = row("alice", "openai", "w", secrets[1]);
  wrong_master["master"] = "not the master secret";
  auto bad_salt = row("alice", "openai", "s", secrets[3]);
  bad_salt["set"] = json::object{{"salt", "no*base64"}};
  auto bad_time = row("alice", "openai", "t", secrets[4]);
  bad_time["expires_at"] = "next week";
  auto no_token = row("alice", "openai", "m", secrets[5]);
  no_token["set"] = json::object{{"token", nullptr}};
  auto rows = input(json::array{
      row("alice", "openai", "good1", secrets[0]), wrong_master, row("alice", "nosuchprovider", "p", secrets[2]),
      bad_salt, bad_time, no_token, json::object{{"text", "{not json"}},
      row("alice", "openai", "good1", secrets[6]),        // the name of line 1 again
      row("alice", "openai", "stored", secrets[7]),       // a name already stored
      row("alice", "openai", "copy", stored_secret),      // a secret already stored
      row("alice", "openai", "again", secrets[0]),        // the secret of line 1 again
      row("harry", "openai", "good2", secrets[8])});
  const std::vector<std::string> expected{
      "line 2: token: Fernet token: HMAC mismatch", "line 3: provider 'nosuchprovider' is not supported",
      "line 4: salt is not standard base64", "line 5: expires_at is not an RFC 3339 time",
      "line 6: missing field token", "line 7: not a JSON object",
      "line 8: duplicate: the openai key 'good1' of user 'alice' is already on line 1",
      "line 9: duplicate: the openai key 'stored' of user 'alice' is already stored",
      "line 10: duplicate: this openai secret of user 'alice' is already stored",
      "line 11: duplicate: this openai secret of user 'alice' is already on line 1"};

  auto all_or_nothing = import(rows);
  EXPECT_EQ(all_or_nothing.exit_status, 1);
  auto dry = import(rows, {"--dry-run", "--skip-bad"});
  EXPECT_EQ(dry.exit_status, 0) << dry.output();
  EXPECT_NE(dry.out.find("dry run: would import 2 keys of 12 rows; would create 1 user; skipped 10 bad rows; nothing was written"),
            std::string::npos) << dry.out;
  EXPECT_EQ(keys_of(gw.alice).size(), 1u) << "neither run wrote anything";
  EXPECT_EQ(imported_events(), 0u);
  auto run = import(rows, {"--skip-bad"});
  ASSERT_EQ(run.exit_status, 0) << run.output();
  for (const auto* result : {&all_or_nothing, &dry, &run})
    for (const auto& reason : expected) EXPECT_NE(result->err.find(reason), std::string::npos) << reason << "\n" << result->err;
  EXPECT_NE(run.out.find("imported 2 keys of 12 rows; created 1 user; skipped 10 bad rows"), std::string::npos) << run.out;
  EXPECT_EQ(keys_of(gw.alice).size(), 2u);
  EXPECT_EQ(keys_of(login("harry")).size(), 1u);
  EXPECT_EQ(imported_events(), 2u);
  secrets.push_back(stored_secret);
  for (const auto* result : {&all_or_nothing, &dry}) expect_nowhere({secrets[2], secrets[6]}, *result);
  expect_nowhere(secrets, run);
}

TEST_F(ImportFernet, AWrongMasterSecretImportsNothingEvenWithSkipBad) {
  auto rows = input(json::array{row("ivan", "openai", "a", Gateway::secret_for("openai", "valid")),
                                row("ivan", "openai", "b", Gateway::secret_for("openai", "valid"))});
  const auto wrong = dir.write_file("wrong-master", "Y2x1Yi1tYXN0ZXItc2VjcmV0LWZvci10ZXN0cy0wMDI=\n");
  auto run = gw.vault.cli({"import", "fernet", "--master-secret-file", wrong.string(), "--input", rows, "--skip-bad"});
  EXPECT_EQ(run.exit_status, 1) << run.output();
  EXPECT_NE(run.err.find("line 1: token: Fernet token: HMAC mismatch"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("line 2: token: Fernet token: HMAC mismatch"), std::string::npos) << run.err;
  EXPECT_NE(run.out.find("imported 0 keys of 2 rows"), std::string::npos) << run.out;
  EXPECT_EQ(gw.vault.cli({"token", "issue", "--user", "ivan"}).exit_status, 1) << "ivan was not created";
}

TEST_F(ImportFernet, DryRunChecksEverythingAndWritesNothing) {
  const std::string secret = Gateway::secret_for("openai", "valid");
  auto rows = input(json::array{row("judy", "openai", "main", secret)});
  const std::string db_before = database_bytes();
  auto dry = import(rows, {"--dry-run", "--json"});
  ASSERT_EQ(dry.exit_status, 0) << dry.output();
  auto summary = json_of(dry.out).as_object();
  EXPECT_EQ(summary.at("imported").as_int64(), 1);
  EXPECT_EQ(summary.at("users_created").as_int64(), 1);
  EXPECT_FALSE(summary.at("written").as_bool());
  EXPECT_EQ(gw.vault.cli({"token", "issue", "--user", "judy"}).exit_status, 1) << "judy was not created";
  EXPECT_EQ(imported_events(), 0u);

  auto run = import(rows, {"--json"});
  ASSERT_EQ(run.exit_status, 0) << run.output();
  EXPECT_TRUE(json_of(run.out).at("written").as_bool());
  auto again = import(rows);
  EXPECT_EQ(again.exit_status, 1) << "a second import of the same rows is all duplicates";
  EXPECT_NE(again.err.find("line 1: duplicate: the openai key 'main' of user 'judy' is already stored"), std::string::npos)
      << again.err;
  expect_nowhere({secret}, run);
}

}  // namespace
}  // namespace keyrelay::test
