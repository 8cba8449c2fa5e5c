// A master-key rotation opens every key in full before re-wrapping it, so it finds stored secrets
// that were changed behind the vault's back: with the server stopped, one user's sealed secret and
// wrapped data key are copied onto another user's key, and one byte of a third key's sealed
// secret is flipped, directly in the SQLite file. `keyrelay master-key rotate` then names exactly
// those two keys as failed, marks them invalid (never showing the other key's data), audits one
// key.decrypt_failed event for each, and re-wraps everything else.
// docs/decisions.md "Master keyring states and rotation"; API.md "Contract details".

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/json/serialize.hpp>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "rotation_support.h"
#include "raw_database.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;


// The Key fields that come from the stored row and no tampering of the secret may change.
json::object own_data(const json::object& key) {
  json::object out;
  for (auto name : {"id", "provider", "name", "hint", "owner", "priority", "always_use", "expires_at", "created_at",
                    "version", "usage", "metadata", "enabled"})
    if (const auto* v = key.if_contains(name)) out[name] = *v;
  return out;
}

class RotationTamper : public ::testing::Test {
 protected:
  void SetUp() override {
    x = create_key(vault, alice, "openai", "x", make_secret());
    y = create_key(vault, bob, "openai", "y", make_secret());
    z = create_key(vault, alice, "anthropic", "z", make_secret("sk-ant-"));
    create_key(vault, alice, "openai", "other-a", make_secret());
    create_key(vault, bob, "openai", "other-b", make_secret());
    create_key(vault, bob, "anthropic", "other-c", make_secret("sk-ant-"));
    vault.stop();
    {
      RawDatabase db(vault.database_file());
      // (a) X's sealed secret, its wrapped data key and their master version, moved onto Y.
      ASSERT_EQ(db.exec("UPDATE api_keys SET "
                        "sealed_secret = (SELECT sealed_secret FROM api_keys WHERE id = ?1), "
                        "wrapped_data_key = (SELECT wrapped_data_key FROM api_keys WHERE id = ?1), "
                        "master_version = (SELECT master_version FROM api_keys WHERE id = ?1) "
                        "WHERE id = ?2",
                        {id_x(), id_y()}),
                1);
      ASSERT_EQ(db.key_blob("sealed_secret", id_y()), db.key_blob("sealed_secret", id_x()));
      // (b) One bit of one byte in the middle of Z's sealed secret.
      std::string sealed = db.key_blob("sealed_secret", id_z());
      ASSERT_GT(sealed.size(), 2u);
      sealed[sealed.size() / 2] = static_cast<char>(sealed[sealed.size() / 2] ^ 0x01);
      ASSERT_EQ(db.set_key_blob("sealed_secret", id_z(), sealed), 1);
    }
    vault.start();
    rotation = rotate_master_key(vault);
    ASSERT_EQ(rotation.command.exit_status, 0) << rotation.command.output() << "\n" << vault.logs();
  }

  std::string id_x() const { return str(x, "id"); }
  std::string id_y() const { return str(y, "id"); }
  std::string id_z() const { return str(z, "id"); }

  VaultServer vault;
  Identity alice = vault.add_user("alice");
  Identity bob = vault.add_user("bob");
  json::object x, y, z;  // as created
  RotateOutcome rotation;
};

TEST_F(RotationTamper, RotationNamesExactlyTheMovedAndTheFlippedSecretAndReWrapsTheRest) {
  EXPECT_TRUE(is_rotate_report(rotation.report));
  EXPECT_EQ(rotation.report.at("to_version"), 2) << rotation.command.out;
  EXPECT_EQ(rotation.failed, (std::set<std::string>{id_y(), id_z()})) << rotation.command.out;
  EXPECT_EQ(rotation.failed_entries, 2u) << rotation.command.out;
  EXPECT_EQ(rotation.report.at("rewrapped"), 4) << rotation.command.out;

  // The two failed keys stay where they were; the source of the copy moved on with the others.
  const auto status = master_key_status(vault);
  EXPECT_EQ(status.rows_on(2), 4) << status.text;
  EXPECT_EQ(status.rows_on(1), 2) << status.text;

  // Each tampered key reads as invalid, with its own data only.
  for (const auto& [who, before] : {std::pair{&bob, &y}, std::pair{&alice, &z}}) {
    const std::string path = "/api/v1/keys/" + str(*before, "id");
    auto response = vault.call(*who, "GET", path);
    ASSERT_EQ(response.status, 200) << describe(response);
    const auto key = object_of(response);
    EXPECT_TRUE(is_key_shape(key));
    EXPECT_EQ(str(key, "status"), "invalid") << response.body;
    const auto& validation = key.at("validation").as_object();
    EXPECT_EQ(str(validation, "state"), "invalid") << response.body;
    EXPECT_FALSE(str(validation, "message").empty()) << response.body;
    EXPECT_TRUE(validation.at("checked_at").is_string()) << response.body;
    EXPECT_EQ(own_data(key), own_data(*before)) << response.body;
    EXPECT_EQ(response.body.find(str(x, "hint")), std::string::npos) << "X's hint in " << response.body;
  }
  // Y's owner and the owner of the moved secret stay apart.
  EXPECT_EQ(vault.call(alice, "GET", "/api/v1/keys/" + id_y()).status, 404);
  EXPECT_EQ(vault.call(bob, "GET", "/api/v1/keys/" + id_x()).status, 404);

  // X, whose secret was copied, opened and was re-wrapped: it is still active and unchanged.
  const auto key_x = get_key(vault, alice, "/api/v1/keys/" + id_x());
  EXPECT_EQ(str(key_x, "status"), "active");
  EXPECT_EQ(str(key_x.at("validation").as_object(), "state"), "unknown");
  EXPECT_EQ(own_data(key_x), own_data(x));
}

TEST_F(RotationTamper, EachTamperedKeyGetsOneDecryptFailedEventAndItsOwnerCanReplaceIt) {
  const auto events = audit_events(vault, vault.admin(), "action=key.decrypt_failed");
  std::map<std::string, int> by_key;
  for (const auto& event : events) {
    EXPECT_TRUE(is_audit_event_shape(event));
    EXPECT_EQ(str(event, "action"), "key.decrypt_failed") << json::serialize(event);
    EXPECT_EQ(str(event, "outcome"), "failure") << json::serialize(event);
    EXPECT_EQ(str(event.at("actor").as_object(), "kind"), "cli") << json::serialize(event);
    ++by_key[str(event, "key_id")];
  }
  EXPECT_EQ(by_key, (std::map<std::string, int>{{id_y(), 1}, {id_z(), 1}}));
  // Each owner sees the failure of their own key, and only that.
  EXPECT_EQ(ids_of(audit_events(vault, bob, "action=key.decrypt_failed")).size(), 1u);
  for (const auto& event : audit_events(vault, bob, "action=key.decrypt_failed"))
    EXPECT_EQ(str(event, "key_id"), id_y());
  for (const auto& event : audit_events(vault, alice, "action=key.decrypt_failed"))
    EXPECT_EQ(str(event, "key_id"), id_z());

  // What the message says to do works: a new secret makes Y usable again (sealed under the new
  // version), and Z can be deleted; then nothing uses version 1 and it can be retired.
  auto rotated = vault.call(bob, "POST", "/api/v1/keys/" + id_y() + "/rotate", body_of({{"secret", make_secret()}}));
  ASSERT_EQ(rotated.status, 200) << describe(rotated);
  EXPECT_EQ(str(object_of(rotated), "status"), "active") << rotated.body;
  ASSERT_EQ(vault.call(alice, "DELETE", "/api/v1/keys/" + id_z()).status, 204);
  const auto status = master_key_status(vault);
  EXPECT_EQ(status.rows_on(1), 0) << status.text;
  EXPECT_EQ(status.rows_on(2), 5) << status.text;
  auto retire = vault.cli({"master-key", "retire", "1"});
  EXPECT_EQ(retire.exit_status, 0) << retire.output();

  // Tampering with keys is not tampering with the trail: it still verifies.
  auto verify = vault.cli({"audit", "verify", "--json"});
  EXPECT_EQ(verify.exit_status, 0) << verify.output();
}

}  // namespace
}  // namespace keyrelay::test
