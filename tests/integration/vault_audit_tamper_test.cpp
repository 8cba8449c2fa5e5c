// The audit log is hash-chained: `keyrelay audit verify --json` exits 0 on an untouched database
// and exits 1 naming the first bad event (id, seq, reason) after someone edits the SQLite file
// directly: a changed row, a removed row, a copied-in row. Each tampering works on its own copy
// of a database the real server wrote. API.md "Commands", "Contract details: Command line".

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "support/temp_dir.h"
#include "raw_database.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;


std::string sql_text(std::string_view text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

struct Verdict {
  ExitStatus exit_status;
  json::object report;
  std::string output;
};

class VaultAuditTamper : public ::testing::Test {
 protected:
  void SetUp() override {
    // A realistic trail: users and tokens from the CLI, key actions through the server.
    auto alice = vault.add_user("alice");
    auto bob = vault.add_user("bob");
    for (int i = 0; i < 3; ++i) {
      auto key = create_key(vault, alice, "openai", "k" + std::to_string(i), make_secret());
      const std::string path = "/api/v1/keys/" + str(key, "id");
      get_key(vault, alice, path);
      vault.call(alice, "PATCH", path, R"({"priority":3})");
      vault.call(alice, "POST", path + "/rotate", body_of({{"secret", make_secret()}}));
    }
    create_key(vault, bob, "anthropic", "b", make_secret("sk-ant-"));
    vault.stop();  // flushes and checkpoints; the copies are taken from a closed database
  }

  // A fresh copy of the data dir (database and keyring).
  fs::path fresh_copy() {
    copies_.emplace_back();
    const fs::path target = copies_.back() / "data";
    fs::copy(vault.data_dir(), target, fs::copy_options::recursive);
    return target;
  }

  Verdict verify(const fs::path& data_dir) {
    auto result = run_keyrelay({"audit", "verify", "--json"}, {{"KEYRELAY_DATA_DIR", data_dir.string()}});
    auto value = json_of(result.out);
    if (!value.is_object()) throw std::runtime_error("audit verify printed " + result.output());
    return {result.exit_status, std::move(value.as_object()), result.output()};
  }

  // The chain with the most events (the server's), and facts about its rows.
  struct Chain {
    std::string name;
    std::int64_t events;
  };
  static Chain longest_chain(RawDatabase& db) {
    const std::string name =
        db.value("SELECT chain FROM audit_log GROUP BY chain ORDER BY COUNT(*) DESC, chain LIMIT 1");
    return {name, std::stoll(db.value("SELECT COUNT(*) FROM audit_log WHERE chain = " + sql_text(name)))};
  }
  static std::string id_at(RawDatabase& db, const Chain& chain, std::int64_t seq) {
    return db.value("SELECT id FROM audit_log WHERE chain = " + sql_text(chain.name) +
                    " AND seq = " + std::to_string(seq));
  }

  // Exit 1, ok false, and exactly `chain` names a first bad event: `id` at `seq`, with a reason.
  static void expect_first_bad(const Verdict& verdict, const std::string& chain, const std::string& id,
                               std::int64_t seq) {
    EXPECT_EQ(verdict.exit_status, 1) << verdict.output;
    EXPECT_EQ(verdict.report.at("ok"), false) << verdict.output;
    bool found = false;
    for (const auto& c : verdict.report.at("chains").as_array()) {
      const auto& report = c.as_object();
      if (str(report, "chain") != chain) {
        EXPECT_TRUE(report.at("first_bad").is_null()) << "an untouched chain fails: " << verdict.output;
        continue;
      }
      found = true;
      ASSERT_TRUE(report.at("first_bad").is_object()) << verdict.output;
      const auto& bad = report.at("first_bad").as_object();
      EXPECT_EQ(str(bad, "id"), id) << verdict.output;
      EXPECT_EQ(bad.at("seq").to_number<std::int64_t>(), seq) << verdict.output;
      EXPECT_FALSE(str(bad, "reason").empty()) << verdict.output;
    }
    EXPECT_TRUE(found) << "no report for chain " << chain << ": " << verdict.output;
  }

  VaultServer vault;

 private:
  std::vector<TempDir> copies_;
};

TEST_F(VaultAuditTamper, AnUntouchedDatabaseVerifies) {
  const auto copy = fresh_copy();
  std::int64_t rows = 0;
  {
    RawDatabase db(copy / "keyrelay.db");
    rows = std::stoll(db.value("SELECT COUNT(*) FROM audit_log"));
  }
  ASSERT_GE(rows, 13);
  auto verdict = verify(copy);
  EXPECT_EQ(verdict.exit_status, 0) << verdict.output;
  EXPECT_EQ(verdict.report.at("ok"), true) << verdict.output;
  std::int64_t events = 0;
  for (const auto& c : verdict.report.at("chains").as_array()) {
    EXPECT_TRUE(c.as_object().at("first_bad").is_null()) << verdict.output;
    events += c.as_object().at("events").to_number<std::int64_t>();
  }
  EXPECT_EQ(events, rows) << "every event is checked";
  // The original, too.
  EXPECT_EQ(verify(vault.data_dir()).exit_status, 0);
}

TEST_F(VaultAuditTamper, AChangedActionIsNamedAsTheFirstBadEvent) {
  const auto copy = fresh_copy();
  std::string id;
  Chain chain;
  std::int64_t seq = 0;
  {
    RawDatabase db(copy / "keyrelay.db");
    db.drop_audit_triggers();
    chain = longest_chain(db);
    seq = chain.events / 2;
    id = id_at(db, chain, seq);
    db.exec(
        "UPDATE audit_log SET action = CASE action WHEN 'key.deleted' THEN 'key.read' ELSE 'key.deleted' END "
        "WHERE id = " +
        sql_text(id));
  }
  expect_first_bad(verify(copy), chain.name, id, seq);
}

TEST_F(VaultAuditTamper, ADeletedMiddleEventIsReportedAtTheEventAfterTheGap) {
  const auto copy = fresh_copy();
  std::string next_id;
  Chain chain;
  std::int64_t seq = 0;
  {
    RawDatabase db(copy / "keyrelay.db");
    db.drop_audit_triggers();
    chain = longest_chain(db);
    seq = chain.events / 2;
    next_id = id_at(db, chain, seq + 1);
    db.exec("DELETE FROM audit_log WHERE chain = " + sql_text(chain.name) + " AND seq = " + std::to_string(seq));
  }
  expect_first_bad(verify(copy), chain.name, next_id, seq + 1);
}

TEST_F(VaultAuditTamper, ACopiedInEventWithANewIdAndSeqIsNamed) {
  const auto copy = fresh_copy();
  const std::string new_id = "01900000-0000-7000-8000-" + std::string("0123456789ab");
  Chain chain;
  {
    RawDatabase db(copy / "keyrelay.db");
    db.drop_audit_triggers();
    chain = longest_chain(db);
    const std::int64_t source = chain.events / 2;
    // Every column of the source row but id and seq; the column list comes from the table itself.
    std::string columns;
    std::string values;
    for (const auto& name : db.column("SELECT name FROM pragma_table_info('audit_log') ORDER BY cid")) {
      columns += (columns.empty() ? "" : ", ") + name;
      if (name == "id")
        values += (values.empty() ? "" : ", ") + sql_text(new_id);
      else if (name == "seq")
        values += (values.empty() ? "" : ", ") + std::to_string(chain.events + 1);
      else
        values += (values.empty() ? "" : ", ") + name;
    }
    db.exec("INSERT INTO audit_log (" + columns + ") SELECT " + values +
            " FROM audit_log WHERE chain = " + sql_text(chain.name) + " AND seq = " + std::to_string(source));
  }
  expect_first_bad(verify(copy), chain.name, new_id, chain.events + 1);
}

}  // namespace
}  // namespace keyrelay::test
