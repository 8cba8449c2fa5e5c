// A user's own data end to end (issue 16 item 7): the export holds the user's keys' metadata,
// usage, caps, tokens' metadata and audit events but no secret, ciphertext or token; a delete (by
// an admin, or the user itself) refuses the user's tokens from the very next request, removes
// their keys from the database file, keeps `audit verify` passing, and a delete that fails
// halfway leaves the user intact. The last admin cannot be deleted.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <fstream>
#include <iterator>

#include "api_json.h"
#include "core/encoding.h"
#include "gateway_harness.h"
#include "raw_database.h"
#include "support/deadline.h"
#include "vault_api.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// `bytes` as they could appear in a text or a file: raw, hex (both cases), base64 and base64url.
std::vector<std::string> encodings_of(const std::string& bytes) {
  const core::ByteView view(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  std::string hex = core::hex_encode(view), upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  // The middle of the base64 forms: whatever precedes the blob cannot change it.
  auto middle = [](const std::string& s) { return s.substr(4, s.size() - 8); };
  return {bytes, hex, upper, middle(core::base64_encode(view)), middle(core::base64url_encode(view))};
}

::testing::AssertionResult holds_none(std::string_view haystack, const std::vector<std::string>& blobs,
                                      std::string_view where) {
  for (std::size_t i = 0; i < blobs.size(); ++i)
    for (const auto& form : encodings_of(blobs[i]))
      if (haystack.find(form) != std::string_view::npos)
        return ::testing::AssertionFailure() << where << " contains blob #" << i;
  return ::testing::AssertionSuccess();
}

class UserData : public ::testing::Test {
 protected:
  Gateway gw;
  VaultServer& vault = gw.vault;
  Identity& alice = gw.alice;

  json::object export_of(const Identity& who, const std::string& target) {
    auto response = vault.call(who, "GET", target);
    EXPECT_EQ(response.status, 200) << describe(response);
    if (response.status != 200) return {};
    return object_of(response);
  }
  static std::vector<std::string> ids_in(const json::object& doc, std::string_view section) {
    std::vector<std::string> ids;
    for (const auto& v : doc.at(section).as_array()) ids.push_back(text_of(v.as_object().at("id")));
    return ids;
  }
  std::int64_t rows(const std::string& sql) {
    RawDatabase db(vault.database_file());
    return std::stoll(db.value(sql));
  }
};

TEST_F(UserData, TheExportHoldsKeysUsageCapsTokensAndAuditButNoSecret) {
  const auto key_id = gw.add_key(alice, "openai", "valid");
  ASSERT_EQ(gw.chat(alice, Gateway::chat_body("gpt-4o-mini")).status, 200);
  gw.wait_for_usage_totals(alice, 1);
  ASSERT_EQ(vault.call(alice, "PUT", "/api/v1/caps", R"({"daily_usd":5,"monthly_usd":null})").status, 200);
  auto second = vault.issue_token(alice, std::nullopt);

  auto response = vault.call(alice, "GET", "/api/v1/me/export");
  ASSERT_EQ(response.status, 200) << describe(response);
  EXPECT_EQ(response.header("Cache-Control"), "no-store");
  auto doc = object_of(response);
  EXPECT_EQ(text_of(doc.at("format")), "keyrelay.user-export.v1");
  EXPECT_EQ(text_of(doc.at("user").as_object().at("id")), alice.user_id);
  EXPECT_EQ(ids_in(doc, "keys"), std::vector<std::string>{key_id});
  EXPECT_TRUE(is_key_shape(doc.at("keys").as_array().at(0).as_object()));
  auto tokens = ids_in(doc, "tokens");
  EXPECT_EQ(tokens.size(), 2u);
  EXPECT_NE(std::find(tokens.begin(), tokens.end(), second.token_id), tokens.end());
  ASSERT_EQ(doc.at("usage").as_array().size(), 1u) << json::serialize(doc.at("usage"));
  auto usage = doc.at("usage").as_array().at(0).as_object();
  EXPECT_EQ(text_of(usage.at("key_id")), key_id);
  EXPECT_EQ(usage.at("requests").as_int64(), 1);
  ASSERT_EQ(doc.at("caps").as_array().size(), 1u);
  EXPECT_EQ(doc.at("caps").as_array().at(0).as_object().at("daily_usd").as_double(), 5.0);
  EXPECT_TRUE(doc.at("default_key_usage").as_array().empty());
  EXPECT_TRUE(doc.at("alerts").is_array());
  std::vector<std::string> actions;
  for (const auto& e : doc.at("audit").as_array()) {
    EXPECT_TRUE(is_audit_event_shape(e.as_object())) << json::serialize(e);
    actions.push_back(text_of(e.as_object().at("action")));
  }
  // (Her tokens were issued at the command line: those events are the operator's, not hers.)
  for (const auto* wanted : {"key.created", "cap.updated", "user.exported"})
    EXPECT_NE(std::find(actions.begin(), actions.end(), wanted), actions.end())
        << wanted << " is not among " << json::serialize(json::value_from(actions));

  // Nothing secret in any form: the key, its sealed bytes, wrapped data key and fingerprint, the
  // tokens and their hashes.
  RawDatabase db(vault.database_file());
  std::vector<std::string> blobs = {db.key_blob("sealed_secret", key_id), db.key_blob("wrapped_data_key", key_id),
                                    db.key_blob("fingerprint", key_id)};
  for (const auto& hash : db.column("SELECT token_hash FROM access_tokens WHERE user_id = '" + alice.user_id + "'"))
    blobs.push_back(hash);
  EXPECT_TRUE(holds_none(response.body, blobs, "the export"));
  for (const auto& text : {gw.secret_of(key_id), alice.token, second.token})
    EXPECT_EQ(response.body.find(text), std::string::npos) << "the export holds a secret or a token";
  EXPECT_EQ(response.body.find("token_hash"), std::string::npos);
  EXPECT_EQ(response.body.find("sealed"), std::string::npos);
}

TEST_F(UserData, AnAdminExportsAnyUserAUserOnlyItself) {
  gw.add_key(alice, "openai", "valid");
  auto bob = vault.add_user("bob");
  auto doc = export_of(vault.admin(), "/api/v1/users/" + alice.user_id + "/export");
  ASSERT_TRUE(doc.contains("keys"));
  EXPECT_EQ(doc.at("keys").as_array().size(), 1u);
  EXPECT_TRUE(is_api_error(vault.call(bob, "GET", "/api/v1/users/" + alice.user_id + "/export"), 403, "forbidden"));
  EXPECT_TRUE(is_api_error(vault.call(bob, "DELETE", "/api/v1/users/" + alice.user_id), 403, "forbidden"));
  EXPECT_TRUE(is_api_error(vault.call(vault.admin(), "GET", "/api/v1/users/no-such-user/export"), 404, "not_found"));
  auto exported = audit_events(vault, vault.admin(), "action=user.exported");
  ASSERT_EQ(exported.size(), 1u);
  EXPECT_EQ(text_of(exported[0].at("actor").as_object().at("user_id")), vault.admin().user_id);
}

TEST_F(UserData, ADeletedUsersTokensAreRefusedAtOnceAndTheirKeysLeaveTheDatabaseFile) {
  const auto key_id = gw.add_key(alice, "openai", "valid");
  auto second = vault.issue_token(alice, std::nullopt);
  ASSERT_EQ(gw.chat(alice, Gateway::chat_body("gpt-4o-mini")).status, 200) << "the token and key are cached now";
  ASSERT_EQ(vault.call(second, "GET", "/api/v1/keys").status, 200);
  std::string sealed, wrapped;
  {
    RawDatabase db(vault.database_file());
    sealed = db.key_blob("sealed_secret", key_id);
    wrapped = db.key_blob("wrapped_data_key", key_id);
  }

  auto deleted = vault.call(vault.admin(), "DELETE", "/api/v1/users/" + alice.user_id);
  ASSERT_EQ(deleted.status, 204) << describe(deleted);
  for (const auto& who : {alice, second}) {
    EXPECT_TRUE(is_api_error(vault.call(who, "GET", "/api/v1/keys"), 401, "unauthenticated"));
    EXPECT_TRUE(is_api_error(vault.call(who, "GET", "/api/v1/me/export"), 401, "unauthenticated"));
    EXPECT_EQ(gw.chat(who, Gateway::chat_body("gpt-4o-mini")).status, 401);
  }
  EXPECT_TRUE(is_api_error(vault.call(vault.admin(), "GET", "/api/v1/users/" + alice.user_id + "/export"), 404, "not_found"));

  const std::string owner = "'" + alice.user_id + "'";
  EXPECT_EQ(rows("SELECT count(*) FROM users WHERE id = " + owner), 0);
  EXPECT_EQ(rows("SELECT count(*) FROM api_keys WHERE owner_id = " + owner), 0);
  EXPECT_EQ(rows("SELECT count(*) FROM access_tokens WHERE user_id = " + owner), 0);
  EXPECT_EQ(rows("SELECT count(*) FROM usage_daily WHERE owner_id = " + owner), 0);
  EXPECT_GT(rows("SELECT count(*) FROM audit_log WHERE actor_user_id = " + owner), 0) << "the trail stays";
  // secure_delete zeroed the rows and the WAL was truncated: no copy of the ciphertext is left.
  const std::string on_disk = file_text(vault.database_file()) + file_text(vault.database_file().string() + "-wal");
  EXPECT_TRUE(holds_none(on_disk, {sealed, wrapped}, "the database files"));

  auto events = audit_events(vault, vault.admin(), "action=user.deleted");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(text_of(events[0].at("actor").as_object().at("user_id")), vault.admin().user_id);
  EXPECT_EQ(text_of(events[0].at("details").as_object().at("user_id")), alice.user_id);
  auto verify = vault.cli({"audit", "verify"});
  EXPECT_EQ(verify.exit_status, 0) << verify.output();
}

TEST_F(UserData, AUserDeletesItselfButNoServiceDoesOnItsBehalf) {
  gw.add_key(alice, "openai", "valid");
  auto service = vault.add_user("billing-service", false, "act_as,keys:read,keys:write");
  const HeaderList for_alice = {{"X-Keyrelay-On-Behalf-Of", alice.user_id}};
  EXPECT_TRUE(is_api_error(vault.call(service, "DELETE", "/api/v1/me", {}, for_alice), 403, "forbidden"));
  EXPECT_TRUE(is_api_error(vault.call(service, "GET", "/api/v1/me/export", {}, for_alice), 403, "forbidden"));
  auto reader = vault.issue_token(alice, "keys:read");
  EXPECT_TRUE(is_api_error(vault.call(reader, "DELETE", "/api/v1/me"), 403, "forbidden")) << "deleting needs keys:write";

  auto deleted = vault.call(alice, "DELETE", "/api/v1/me");
  ASSERT_EQ(deleted.status, 204) << describe(deleted);
  EXPECT_TRUE(is_api_error(vault.call(alice, "GET", "/api/v1/keys"), 401, "unauthenticated"));
  EXPECT_TRUE(is_api_error(vault.call(reader, "GET", "/api/v1/keys"), 401, "unauthenticated"));
  auto events = audit_events(vault, vault.admin(), "action=user.deleted");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(text_of(events[0].at("actor").as_object().at("user_id")), alice.user_id);
}

TEST_F(UserData, TheLastAdminCannotBeDeleted) {
  const auto& admin = vault.admin();
  EXPECT_TRUE(is_api_error(vault.call(admin, "DELETE", "/api/v1/users/" + admin.user_id), 409, "conflict"));
  EXPECT_TRUE(is_api_error(vault.call(admin, "DELETE", "/api/v1/me"), 409, "conflict"));
  EXPECT_EQ(vault.call(admin, "GET", "/api/v1/users").status, 200) << "still there";
  auto other = vault.add_user("second-admin", true);
  EXPECT_EQ(vault.call(admin, "DELETE", "/api/v1/users/" + other.user_id).status, 204);
  EXPECT_TRUE(is_api_error(vault.call(admin, "DELETE", "/api/v1/me"), 409, "conflict"));
}

TEST_F(UserData, ADeleteThatFailsHalfwayLeavesTheUserIntact) {
  const auto key_id = gw.add_key(alice, "openai", "valid");
  const std::string owner = "'" + alice.user_id + "'";
  // The users row is deleted last: refusing it fails the delete after the tokens and keys went.
  RawDatabase(vault.database_file())
      .exec("CREATE TRIGGER refuse_user_delete BEFORE DELETE ON users BEGIN SELECT RAISE(ABORT, 'injected'); END");
  auto failed = vault.call(vault.admin(), "DELETE", "/api/v1/users/" + alice.user_id);
  EXPECT_GE(failed.status, 400) << describe(failed);  // the engine reports a trigger's abort as a conflict

  EXPECT_EQ(rows("SELECT count(*) FROM api_keys WHERE owner_id = " + owner), 1);
  EXPECT_EQ(rows("SELECT count(*) FROM access_tokens WHERE user_id = " + owner), 1);
  EXPECT_EQ(vault.call(alice, "GET", "/api/v1/keys/" + key_id).status, 200) << "her token and key still work";
  EXPECT_EQ(gw.chat(alice, Gateway::chat_body("gpt-4o-mini")).status, 200);
  EXPECT_TRUE(audit_events(vault, vault.admin(), "action=user.deleted").empty());

  RawDatabase(vault.database_file()).exec("DROP TRIGGER refuse_user_delete");
  EXPECT_EQ(vault.call(vault.admin(), "DELETE", "/api/v1/users/" + alice.user_id).status, 204);
}

// ---- the command line ----

TEST_F(UserData, TheCliExportsToANewPrivateFileAndToStdout) {
  const auto key_id = gw.add_key(alice, "openai", "valid");
  const auto out = vault.data_dir().parent_path() / "alice-export.json";
  auto written = vault.cli({"--json", "user", "export", "alice", "--out", out.string()});
  ASSERT_EQ(written.exit_status, 0) << written.output();
  EXPECT_EQ(std::filesystem::status(out).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto doc = json_of(file_text(out)).as_object();
  EXPECT_EQ(ids_in(doc, "keys"), std::vector<std::string>{key_id});
  EXPECT_EQ(file_text(out).find(gw.secret_of(key_id)), std::string::npos);

  auto again = vault.cli({"user", "export", alice.user_id, "--out", out.string()});
  EXPECT_EQ(again.exit_status, 1) << "an existing file is never overwritten";
  EXPECT_EQ(json_of(file_text(out)).as_object().at("user").as_object().at("id"), doc.at("user").as_object().at("id"));

  auto to_stdout = vault.cli({"user", "export", alice.user_id});
  ASSERT_EQ(to_stdout.exit_status, 0) << to_stdout.output();
  EXPECT_EQ(text_of(json_of(to_stdout.out).as_object().at("user").as_object().at("name")), "alice");
  EXPECT_EQ(vault.cli({"user", "export", "nobody"}).exit_status, 1);
}

TEST_F(UserData, TheCliDeletesOnlyWhenConfirmedAndTheServerRefusesTheTokenWithinASecond) {
  gw.add_key(alice, "openai", "valid");
  ASSERT_EQ(vault.call(alice, "GET", "/api/v1/keys").status, 200);
  auto unconfirmed = vault.cli({"user", "delete", "alice"});
  EXPECT_EQ(unconfirmed.exit_status, 1) << unconfirmed.output();
  EXPECT_EQ(vault.call(alice, "GET", "/api/v1/keys").status, 200) << "no answer to the question, no delete";

  auto deleted = vault.cli({"--json", "user", "delete", "alice", "--yes"});
  ASSERT_EQ(deleted.exit_status, 0) << deleted.output();
  auto summary = json_of(deleted.out).as_object();
  EXPECT_EQ(summary.at("deleted_rows").as_object().at("api_keys").as_int64(), 1);
  int status = 0;
  EXPECT_TRUE(poll_until(deadline_in(std::chrono::seconds(1)),
                         [&] { return (status = vault.call(alice, "GET", "/api/v1/keys").status) == 401; }))
      << "the server still answers " << status;
  EXPECT_EQ(vault.cli({"user", "delete", "alice", "--yes"}).exit_status, 1) << "gone";
  auto events = audit_events(vault, vault.admin(), "action=user.deleted");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(text_of(events[0].at("actor").as_object().at("kind")), "cli");
  EXPECT_EQ(vault.cli({"audit", "verify"}).exit_status, 0);
}

}  // namespace
}  // namespace keyrelay::test
