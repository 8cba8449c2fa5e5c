// `keyrelay store copy` (issue 13 items 8 and 9 h): a populated single-node SQLite store is copied
// into an empty PostgreSQL database; a node started on the copy serves with the same keyring —
// the old tokens authenticate, every key opens (a master-key rotation re-wraps each one in full)
// and every audit chain verifies. A non-empty target is refused, and a copy that fails halfway
// leaves the target as it was.

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <chrono>
#include <set>

#include "cluster_harness.h"
#include "gateway_harness.h"
#include "raw_database.h"
#include "rotation_support.h"
#include "support/deadline.h"
#include "support/postgres_server.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// A single node on SQLite with some of everything: users, tokens, keys of several providers,
// gateway use (usage rows and key.used events), management events; then stopped.
class StoreCopy : public ::testing::Test {
 protected:
  void SetUp() override {
    carol = gw.vault.add_user("carol");
    bob = gw.vault.add_user("bob");
    for (const auto* provider : {"openai", "anthropic", "gemini"}) {
      key_ids.push_back(gw.add_key(gw.alice, provider, "valid"));
      key_ids.push_back(gw.add_key(carol, provider, "valid"));
    }
    key_ids.push_back(gw.add_key(bob, "openai", "valid"));
    for (int i = 0; i < 3; ++i) ASSERT_EQ(gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini")).status, 200);
    gw.wait_for_usage_totals(gw.alice, 3);
    keys_before = list_all(gw.vault, bob, "/api/v1/keys");
    gw.vault.stop();
  }

  std::string source_url() const { return "sqlite://" + gw.vault.database_file().string(); }
  CommandResult copy_to(const std::string& target) const {
    return run_keyrelay({"--json", "store", "copy", "--from", source_url(), "--to", target});
  }

  Gateway gw;
  Identity carol, bob;
  std::vector<std::string> key_ids;
  std::vector<json::object> keys_before;
  PostgresServer postgres;
};

TEST_F(StoreCopy, TheCopyServesOnPostgresWithEveryKeyOpeningAndTheAuditVerifying) {
  auto copied = copy_to(postgres.url());
  ASSERT_EQ(copied.exit_status, 0) << copied.output();
  auto report = json_of(copied.out).as_object();
  EXPECT_GT(report.at("rows").as_int64(), 0) << copied.out;
  EXPECT_EQ(copied.output().find(postgres.password()), std::string::npos) << "the password is never printed";

  // A node on the copy, with the keyring the SQLite node created beside its data.
  VaultServer::Options node;
  node.env = gw.mock.provider_env();
  node.shared_env = {{"KEYRELAY_DATABASE_URL", postgres.url()},
                     {"KEYRELAY_KEYRING_FILE", (gw.vault.data_dir() / "keyring.toml").string()}};
  node.joins = gw.vault.admin();
  VaultServer on_postgres(std::move(node));

  // The old tokens authenticate and the keys read back exactly as before.
  EXPECT_EQ(list_all(on_postgres, bob, "/api/v1/keys"), keys_before);
  EXPECT_EQ(on_postgres.call(gw.alice, "POST", "/v1/chat/completions",
                             json::serialize(Gateway::chat_body("gpt-4o-mini"))).status, 200);

  auto verified = on_postgres.cli({"--json", "audit", "verify"});
  EXPECT_EQ(verified.exit_status, 0) << verified.output();

  // A rotation opens every key in full to re-wrap it: none fails.
  auto rotated = rotate_master_key(on_postgres);
  ASSERT_EQ(rotated.command.exit_status, 0) << rotated.command.output() << on_postgres.logs();
  EXPECT_TRUE(rotated.failed.empty()) << rotated.command.out;
  EXPECT_EQ(rotated.report.at("rewrapped").as_int64(), static_cast<std::int64_t>(key_ids.size())) << rotated.command.out;
  auto verified_after = on_postgres.cli({"--json", "audit", "verify"});
  EXPECT_EQ(verified_after.exit_status, 0) << verified_after.output();
}

TEST_F(StoreCopy, ATargetThatHoldsDataIsRefusedAndLeftAsItWas) {
  ASSERT_EQ(copy_to(postgres.url()).exit_status, 0);
  auto again = copy_to(postgres.url());
  EXPECT_EQ(again.exit_status, 1) << again.output();
  EXPECT_NE(again.err.find("not empty"), std::string::npos) << again.output();

  VaultServer::Options node;
  node.shared_env = {{"KEYRELAY_DATABASE_URL", postgres.url()},
                     {"KEYRELAY_KEYRING_FILE", (gw.vault.data_dir() / "keyring.toml").string()}};
  node.joins = gw.vault.admin();
  VaultServer on_postgres(std::move(node));
  EXPECT_EQ(list_all(on_postgres, bob, "/api/v1/keys"), keys_before) << "nothing was added twice";
}

TEST_F(StoreCopy, ACopyThatFailsHalfwayLeavesTheTargetEmpty) {
  // A token whose user does not exist: SQLite takes it with foreign keys off, PostgreSQL refuses
  // it — after the users were already copied in the same transaction.
  {
    RawDatabase raw(gw.vault.database_file());
    raw.exec("PRAGMA foreign_keys = OFF");
    raw.exec("INSERT INTO access_tokens (id, user_id, name, token_hash, scopes, created_at) "
             "VALUES ('tok_orphan', 'usr_missing', 'x', X'00112233', 'keys:read', 0)");
  }
  auto failed = copy_to(postgres.url());
  EXPECT_EQ(failed.exit_status, 1) << failed.output();

  // Nothing stayed behind: once the bad row is gone, the copy finds an empty target.
  {
    RawDatabase raw(gw.vault.database_file());
    raw.exec("DELETE FROM access_tokens WHERE id = 'tok_orphan'");
  }
  auto copied = copy_to(postgres.url());
  EXPECT_EQ(copied.exit_status, 0) << copied.output();
}

TEST_F(StoreCopy, TheSourceMustExistAndTheTargetMustBePostgres) {
  auto missing = run_keyrelay({"store", "copy", "--from", "sqlite:///nonexistent/keyrelay.db", "--to", postgres.url()});
  EXPECT_EQ(missing.exit_status, 1) << missing.output();
  EXPECT_FALSE(std::filesystem::exists("/nonexistent/keyrelay.db"));
  auto to_sqlite = run_keyrelay({"store", "copy", "--from", source_url(), "--to", "sqlite:///tmp/other.db"});
  EXPECT_EQ(to_sqlite.exit_status, 1) << to_sqlite.output();
  EXPECT_NE(to_sqlite.err.find("PostgreSQL"), std::string::npos) << to_sqlite.output();
}

}  // namespace
}  // namespace keyrelay::test
