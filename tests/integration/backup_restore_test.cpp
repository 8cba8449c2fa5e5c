// `keyrelay backup`, `backup verify` and `restore` end to end through the real binary (issue 15
// item 4): a backup taken while a server takes writes is one consistent snapshot; it verifies and
// restores into an empty data dir where a server serves the old tokens and keys through the
// gateway and `audit verify` passes; a non-empty target is refused; a truncated, corrupted or
// wrong-key backup fails with a clear message and writes nothing; SQLite and PostgreSQL restore
// into each other; the file holds no key's plaintext.

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <iterator>
#include <thread>

#include "gateway_harness.h"
#include "raw_database.h"
#include "support/postgres_server.h"
#include "support/temp_dir.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

std::string read_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_bytes(const std::filesystem::path& file, std::string_view bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::int64_t table_rows(const json::object& manifest, std::string_view table) {
  for (const auto& t : manifest.at("tables").as_array())
    if (t.at("name").as_string() == table) return t.at("rows").as_int64();
  return -1;
}

// A single node on SQLite with users, tokens, keys of several providers and gateway use.
class BackupRestore : public ::testing::Test {
 protected:
  void SetUp() override {
    carol = gw.vault.add_user("carol");
    for (const auto* provider : {"openai", "anthropic", "gemini"}) {
      key_ids.push_back(gw.add_key(gw.alice, provider, "valid"));
      key_ids.push_back(gw.add_key(carol, provider, "valid"));
    }
    for (int i = 0; i < 2; ++i) ASSERT_EQ(gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini")).status, 200);
    gw.wait_for_usage_totals(gw.alice, 2);
    carol_keys = list_all(gw.vault, carol, "/api/v1/keys");
  }

  std::filesystem::path keyring() const { return gw.vault.data_dir() / "keyring.toml"; }
  CommandResult backup(std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{"--json", "backup", file.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return gw.vault.cli(args);
  }
  CommandResult verify(std::vector<std::string> extra = {}, const std::filesystem::path& keyring_file = {}) const {
    std::vector<std::string> args{"--json", "backup", "verify", file.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    Environment env = gw.vault.cli_env();
    if (!keyring_file.empty()) env["KEYRELAY_KEYRING_FILE"] = keyring_file.string();
    return run_keyrelay(args, env);
  }
  // An empty data dir that holds nothing yet; the keyring stays where it is.
  Environment fresh_env(const std::filesystem::path& data_dir) const {
    return {{"KEYRELAY_DATA_DIR", data_dir.string()}, {"KEYRELAY_KEYRING_FILE", keyring().string()}};
  }
  CommandResult restore(const Environment& env, std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{"--json", "restore", file.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_keyrelay(args, env);
  }
  // A server on a restored store, with the keyring of the original and the mock provider.
  std::unique_ptr<VaultServer> serve(const std::string& database_url) const {
    VaultServer::Options node;
    node.env = gw.mock.provider_env();
    node.shared_env = {{"KEYRELAY_DATABASE_URL", database_url}, {"KEYRELAY_KEYRING_FILE", keyring().string()}};
    node.joins = gw.vault.admin();
    return std::make_unique<VaultServer>(std::move(node));
  }

  Gateway gw;
  Identity carol;
  std::vector<std::string> key_ids;
  std::vector<json::object> carol_keys;
  TempDir work;
  std::filesystem::path file = work / "keyrelay.krb";
};

TEST_F(BackupRestore, ABackupTakenWhileTheServerWritesRestoresIntoAStoreThatServes) {
  std::atomic<bool> stop{false};
  std::atomic<int> chats{0};
  std::thread writer([&] {
    while (!stop) {
      if (gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini")).status == 200) ++chats;
    }
  });
  // The writer is in full swing (chats, usage batches, key.used events) when the backup starts.
  while (chats < 3) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto made = backup();
  stop = true;
  writer.join();
  ASSERT_EQ(made.exit_status, 0) << made.output();
  const auto manifest = json_of(made.out).at("manifest").as_object();
  EXPECT_EQ(table_rows(manifest, "api_keys"), static_cast<std::int64_t>(key_ids.size()));
  EXPECT_EQ(manifest.at("store").as_string(), "sqlite");
  EXPECT_FALSE(manifest.at("audit_chains").as_array().empty());

  struct stat st{};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(work / "keyrelay.krb.tmp"));

  auto verified = verify();
  ASSERT_EQ(verified.exit_status, 0) << verified.output();
  const auto report = json_of(verified.out).as_object();
  EXPECT_EQ(report.at("manifest").as_object(), manifest);
  EXPECT_EQ(report.at("keys_opened").as_int64(), static_cast<std::int64_t>(key_ids.size()));
  EXPECT_TRUE(report.at("audit").at("verified").as_bool());

  TempDir restored;
  auto restored_run = restore(fresh_env(restored.path()));
  ASSERT_EQ(restored_run.exit_status, 0) << restored_run.output();
  // One snapshot: every table holds exactly the rows the manifest counted.
  {
    RawDatabase raw(restored / "keyrelay.db");
    for (const auto& t : manifest.at("tables").as_array())
      EXPECT_EQ(raw.value("SELECT count(*) FROM " + std::string(t.at("name").as_string())),
                std::to_string(t.at("rows").as_int64()))
          << t.at("name").as_string();
  }
  auto node = serve("sqlite://" + (restored / "keyrelay.db").string());
  EXPECT_EQ(list_all(*node, carol, "/api/v1/keys"), carol_keys);
  EXPECT_EQ(node->call(gw.alice, "POST", "/v1/chat/completions", json::serialize(Gateway::chat_body("gpt-4o-mini"))).status,
            200)
      << node->logs();
  auto audit = node->cli({"--json", "audit", "verify"});
  EXPECT_EQ(audit.exit_status, 0) << audit.output();
}

TEST_F(BackupRestore, VerifyPrintsTheManifestForPeople) {
  ASSERT_EQ(backup().exit_status, 0);
  auto verified = gw.vault.cli({"backup", "verify", file.string()});
  ASSERT_EQ(verified.exit_status, 0) << verified.output();
  for (const auto* expected : {"made ", "from sqlite", "api_keys: 6", "audit chains", "keys open with the keyring",
                               "sealed with the keyring (master key version 1)", "the backup is sound"})
    EXPECT_NE(verified.out.find(expected), std::string::npos) << expected << "\n" << verified.out;
}

TEST_F(BackupRestore, ATargetThatHoldsDataIsRefusedAndLeftAsItWas) {
  ASSERT_EQ(backup().exit_status, 0);
  auto again = run_keyrelay({"restore", file.string()}, gw.vault.cli_env());
  EXPECT_EQ(again.exit_status, 1) << again.output();
  EXPECT_NE(again.err.find("not empty"), std::string::npos) << again.output();
  EXPECT_EQ(list_all(gw.vault, carol, "/api/v1/keys"), carol_keys) << "nothing was added twice";
}

TEST_F(BackupRestore, TheFileHoldsNoKeysPlaintextAndAPassphraseBackupRoundTrips) {
  const auto passphrase = work.write_file("passphrase", "a long passphrase of several words\n");
  auto made = backup({"--passphrase-file", passphrase.string()});
  ASSERT_EQ(made.exit_status, 0) << made.output();
  const auto bytes = read_bytes(file);
  for (const auto& id : key_ids) EXPECT_EQ(bytes.find(gw.secret_of(id)), std::string::npos) << id;
  EXPECT_EQ(bytes.find("a long passphrase"), std::string::npos);
  EXPECT_EQ(bytes.find("carol"), std::string::npos) << "the rows are sealed, not only the secrets";

  // The same passphrase without its newline opens it.
  const auto same = work.write_file("same", "a long passphrase of several words");
  auto verified = verify({"--passphrase-file", same.string()});
  ASSERT_EQ(verified.exit_status, 0) << verified.output();
  EXPECT_NE(json_of(verified.out).at("sealed_with").as_string().find("passphrase (scrypt N=2^17"), std::string::npos);

  TempDir restored;
  auto restored_run = restore(fresh_env(restored.path()), {"--passphrase-file", passphrase.string()});
  ASSERT_EQ(restored_run.exit_status, 0) << restored_run.output();
  auto node = serve("sqlite://" + (restored / "keyrelay.db").string());
  EXPECT_EQ(list_all(*node, carol, "/api/v1/keys"), carol_keys);

  const auto empty = work.write_file("empty", "\n");
  auto refused = backup({"--passphrase-file", empty.string()});
  EXPECT_EQ(refused.exit_status, 1);
  EXPECT_NE(refused.err.find("empty passphrase"), std::string::npos) << refused.output();
}

TEST_F(BackupRestore, SqliteRestoresIntoPostgresAndPostgresBackUpIntoSqlite) {
  PostgresServer postgres;
  ASSERT_EQ(backup().exit_status, 0);
  auto into_postgres = restore({{"KEYRELAY_DATABASE_URL", postgres.url()}, {"KEYRELAY_KEYRING_FILE", keyring().string()}});
  ASSERT_EQ(into_postgres.exit_status, 0) << into_postgres.output();
  EXPECT_EQ(into_postgres.output().find(postgres.password()), std::string::npos);

  auto on_postgres = serve(postgres.url());
  EXPECT_EQ(list_all(*on_postgres, carol, "/api/v1/keys"), carol_keys);
  EXPECT_EQ(on_postgres->call(gw.alice, "POST", "/v1/chat/completions",
                              json::serialize(Gateway::chat_body("gpt-4o-mini"))).status, 200);
  // A backup of PostgreSQL while its server runs, restored into an empty SQLite data dir.
  auto from_postgres = on_postgres->cli({"--json", "backup", (work / "pg.krb").string()});
  ASSERT_EQ(from_postgres.exit_status, 0) << from_postgres.output();
  EXPECT_EQ(json_of(from_postgres.out).at("manifest").at("store").as_string(), "postgres");

  TempDir restored;
  auto back = run_keyrelay({"--json", "restore", (work / "pg.krb").string()}, fresh_env(restored.path()));
  ASSERT_EQ(back.exit_status, 0) << back.output();
  auto on_sqlite = serve("sqlite://" + (restored / "keyrelay.db").string());
  EXPECT_EQ(list_all(*on_sqlite, carol, "/api/v1/keys"), carol_keys);
  auto audit = on_sqlite->cli({"--json", "audit", "verify"});
  EXPECT_EQ(audit.exit_status, 0) << audit.output();
}

// A store damaged before the backup (a tamperer with the database file) backs up as it is, but
// verify and restore refuse it: the audit chains and the keys are checked inside the backup.
TEST_F(BackupRestore, AnEditedAuditEventOrAKeyThatDoesNotOpenIsFoundInsideTheBackup) {
  gw.vault.stop();
  std::string edited, original_ip;
  {
    RawDatabase raw(gw.vault.database_file());
    raw.drop_audit_triggers();
    edited = raw.value("SELECT id FROM audit_log WHERE seq = 2 ORDER BY chain LIMIT 1");
    original_ip = raw.value("SELECT quote(ip) FROM audit_log WHERE id = '" + edited + "'");
    ASSERT_EQ(raw.exec("UPDATE audit_log SET ip = '203.0.113.9' WHERE id = ?1", {edited}), 1);
  }
  ASSERT_EQ(backup().exit_status, 0);
  auto verified = verify();
  EXPECT_EQ(verified.exit_status, 1) << verified.output();
  EXPECT_NE(verified.err.find("does not verify inside the backup: hash mismatch at seq 2"), std::string::npos)
      << verified.output();
  TempDir restored;
  auto refused = restore(fresh_env(restored / "data"));
  EXPECT_EQ(refused.exit_status, 1) << refused.output();
  EXPECT_FALSE(std::filesystem::exists(restored / "data"));

  {
    RawDatabase raw(gw.vault.database_file());
    ASSERT_EQ(raw.exec("UPDATE audit_log SET ip = " + original_ip + " WHERE id = ?1", {edited}), 1);
    auto sealed = raw.key_blob("sealed_secret", key_ids[1]);
    sealed[sealed.size() - 1] ^= 0x01;
    ASSERT_EQ(raw.set_key_blob("sealed_secret", key_ids[1], sealed), 1);
  }
  ASSERT_EQ(backup().exit_status, 0);
  auto unopened = verify();
  EXPECT_EQ(unopened.exit_status, 1) << unopened.output();
  EXPECT_NE(unopened.err.find("key " + key_ids[1] + " does not open with this keyring"), std::string::npos)
      << unopened.output();
}

// Enough rows for several 64 KiB chunks: keys with long secrets and metadata.
class DamagedBackup : public BackupRestore {
 protected:
  void SetUp() override {
    BackupRestore::SetUp();
    const std::string notes(7000, 'n');
    for (int i = 0; i < 30; ++i)
      create_key(gw.vault, carol, "openai", "bulk-" + std::to_string(i), make_secret("sk-") + std::string(3000, 'x'),
                 json::object{{"metadata", json::object{{"notes", notes}}}});
    ASSERT_EQ(backup().exit_status, 0);
    good = read_bytes(file);
    ASSERT_GT(good.size(), 128u + 3 * (65536u + 16u)) << "the backup spans at least four chunks";
  }

  // The damaged file fails verify and restore with `message`, and restore writes nothing.
  void expect_refused(std::string_view bytes, std::string_view message, const std::filesystem::path& keyring_file = {},
                      std::vector<std::string> extra = {}) {
    write_bytes(file, bytes);
    auto verified = verify(extra, keyring_file);
    EXPECT_EQ(verified.exit_status, 1) << verified.output();
    EXPECT_NE(verified.err.find(message), std::string::npos) << verified.output();
    TempDir restored;
    auto env = fresh_env(restored.path() / "data");
    if (!keyring_file.empty()) env["KEYRELAY_KEYRING_FILE"] = keyring_file.string();
    auto restored_run = restore(env, extra);
    EXPECT_EQ(restored_run.exit_status, 1) << restored_run.output();
    EXPECT_NE(restored_run.err.find(message), std::string::npos) << restored_run.output();
    EXPECT_FALSE(std::filesystem::exists(restored.path() / "data")) << "restore wrote nothing";
  }

  static constexpr std::size_t kSealedChunk = 65536 + 16;
  std::string good;
};

TEST_F(DamagedBackup, TruncatedFilesAreRefused) {
  expect_refused(std::string_view(good).substr(0, good.size() - 100), "truncated or corrupted");
  expect_refused(std::string_view(good).substr(0, 128 + 2 * kSealedChunk), "truncated: it ends after chunk 1");
  expect_refused(std::string_view(good).substr(0, 60), "header is truncated");
  expect_refused("", "not a keyrelay backup");
}

TEST_F(DamagedBackup, AFlippedByteAnywhereIsRefused) {
  auto body = good;
  body[128 + kSealedChunk + 1000] ^= 0x01;
  expect_refused(body, "corrupted: chunk 1 fails authentication");
  auto header = good;
  header[40] ^= 0x01;  // inside the salt
  expect_refused(header, "header is damaged");
  auto manifest = good;
  manifest[manifest.size() - 20] ^= 0x01;  // the end of the last chunk: the manifest
  expect_refused(manifest, "its last chunk");
}

TEST_F(DamagedBackup, SwappedChunksAreRefused) {
  auto swapped = good;
  std::swap_ranges(swapped.begin() + 128, swapped.begin() + 128 + kSealedChunk, swapped.begin() + 128 + kSealedChunk);
  expect_refused(swapped, "corrupted: chunk 0");
}

TEST_F(DamagedBackup, AWrongKeyringOrPassphraseIsNamed) {
  const auto other_keyring = work / "other-keyring.toml";
  ASSERT_EQ(run_keyrelay({"keygen", "--keyring", other_keyring.string()}).exit_status, 0);
  expect_refused(good, "made with another keyring", other_keyring);

  const auto passphrase = work.write_file("pass", "right one");
  ASSERT_EQ(backup({"--passphrase-file", passphrase.string()}).exit_status, 0);
  const auto sealed = read_bytes(file);
  expect_refused(sealed, "wrong passphrase", {}, {"--passphrase-file", work.write_file("wrong", "wrong one").string()});
  expect_refused(sealed, "sealed with a passphrase");
}

}  // namespace
}  // namespace keyrelay::test
