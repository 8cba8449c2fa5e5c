// Audit retention through the real binary: `keyrelay audit prune` (while the server runs) deletes
// old key.used events, records audit.pruned, and `keyrelay audit verify` still exits 0; editing a
// row that remains still makes it exit 1 naming that row.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "api_json.h"
#include "gateway_harness.h"
#include "raw_database.h"
#include "support/deadline.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

TEST(AuditRetention, PruningKeepsVerifyPassingAndEditsStillFail) {
  Gateway gw;
  gw.add_key(gw.alice, "openai", "valid");
  for (int i = 0; i < 3; ++i) ASSERT_EQ(gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini")).status, 200);
  // The recorder commits the counts, then the events: wait for the events themselves.
  ASSERT_TRUE(poll_until(deadline_in(std::chrono::seconds(10)), [&] {
    return audit_events(gw.vault, gw.alice, "action=key.used").size() == 3u;
  })) << audit_events(gw.vault, gw.alice, "action=key.used").size() << " key.used events";

  auto pruned = gw.vault.cli({"audit", "prune", "--older-than", "1ms", "--json"});
  ASSERT_EQ(pruned.exit_status, 0) << pruned.output();
  const auto summary = json::parse(pruned.out).as_object();
  EXPECT_EQ(summary.at("pruned").as_int64(), 3);
  EXPECT_TRUE(audit_events(gw.vault, gw.alice, "action=key.used").empty());
  EXPECT_EQ(audit_events(gw.vault, gw.vault.admin(), "action=audit.pruned").size(), 1u);
  // Management events are kept.
  EXPECT_FALSE(audit_events(gw.vault, gw.alice, "action=key.created").empty());

  // The chain goes on after its checkpoint, and everything verifies.
  for (int i = 0; i < 2; ++i) ASSERT_EQ(gw.chat(gw.alice, Gateway::chat_body("gpt-4o-mini")).status, 200);
  gw.wait_for_usage_totals(gw.alice, 5);
  auto verified = gw.vault.cli({"audit", "verify", "--json"});
  EXPECT_EQ(verified.exit_status, 0) << verified.output();

  // An edit of a remaining key.used row is still caught, and named.
  std::string edited;
  {
    RawDatabase db(gw.vault.database_file());
    edited = db.value("SELECT id FROM audit_log WHERE action = 'key.used' ORDER BY seq LIMIT 1");
    ASSERT_EQ(db.exec("UPDATE audit_log SET ip = '203.0.113.9' WHERE id = ?1", {edited}), 1);
  }
  auto broken = gw.vault.cli({"audit", "verify", "--json"});
  EXPECT_EQ(broken.exit_status, 1) << broken.output();
  EXPECT_NE(broken.output().find(edited), std::string::npos) << broken.output();
}

TEST(AuditRetention, AnAgeIsRequiredAndMalformedOnesAreRefused) {
  VaultServer vault;
  auto refused = vault.cli({"audit", "prune", "--older-than", "soon"});
  EXPECT_NE(refused.exit_status, 0);
  EXPECT_NE(refused.output().find("--older-than"), std::string::npos) << refused.output();
}

}  // namespace
}  // namespace keyrelay::test
