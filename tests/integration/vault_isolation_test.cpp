// One user's keys are invisible and untouchable for every other user: a key id that exists but
// belongs to someone else is 404 on every key route, own and alias (API.md "Authentication"),
// 403 on the admin-only default-key routes for a non-admin; the key stays exactly as it was, never
// shows up in another user's lists, and another user's audit trail never shows its events.

#include <gtest/gtest.h>

#include "api_json.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

class VaultIsolation : public ::testing::Test {
 protected:
  VaultServer vault;
  Identity alice = vault.add_user("alice");
  Identity bob = vault.add_user("bob");
  // Alice's key expires in 3 days, so it is also on her expiring list.
  json::object alices_key =
      create_key(vault, alice, "openai", "alices", make_secret(), {{"expires_at", rfc3339_in_days(3)}});
  std::string key_id = str(alices_key, "id");

  // Alice's key as she sees it now (a GET, so it is also a read event of hers).
  json::object alices_view() { return get_key(vault, alice, "/api/v1/keys/" + key_id); }
};

// Another caller reaching for a key by id: method, path template ({id} is replaced) and body.
struct Reach {
  std::string method;
  std::string path;
  std::string body;
  int status;        // what the caller must get
  std::string code;  // and its error code
};

std::string with_id(std::string path, std::string_view id) {
  path.replace(path.find("{id}"), 4, id);
  return path;
}

// Every route that takes a key id.
std::vector<Reach> key_routes(int own_status, const std::string& own_code, int default_status,
                              const std::string& default_code) {
  const std::string rotate = body_of({{"secret", make_secret()}});
  const std::string patch = R"({"priority":99,"name":"stolen","enabled":false})";
  return {
      {"GET", "/api/v1/keys/{id}", "", own_status, own_code},
      {"PATCH", "/api/v1/keys/{id}", patch, own_status, own_code},
      {"POST", "/api/v1/keys/{id}/rotate", rotate, own_status, own_code},
      {"DELETE", "/api/v1/keys/{id}", "", own_status, own_code},
      {"GET", "/api/api-keys/{id}", "", own_status, own_code},
      {"PATCH", "/api/api-keys/{id}", patch, own_status, own_code},
      {"DELETE", "/api/api-keys/{id}", "", own_status, own_code},
      {"POST", "/api/keys/{id}/rotate", rotate, own_status, own_code},
      {"DELETE", "/api/keys/{id}", "", own_status, own_code},
      {"GET", "/api/v1/default-keys/{id}", "", default_status, default_code},
      {"PATCH", "/api/v1/default-keys/{id}", patch, default_status, default_code},
      {"POST", "/api/v1/default-keys/{id}/rotate", rotate, default_status, default_code},
      {"DELETE", "/api/v1/default-keys/{id}", "", default_status, default_code},
  };
}

TEST_F(VaultIsolation, AnotherUserGets404OnEveryKeyRouteAnd403OnDefaultKeyRoutesAndChangesNothing) {
  const json::object before = alices_view();
  for (const auto& r : key_routes(404, "not_found", 403, "forbidden")) {
    const std::string target = with_id(r.path, key_id);
    SCOPED_TRACE("bob: " + r.method + " " + target);
    auto response = vault.call(bob, r.method, target, r.body);
    EXPECT_TRUE(is_api_error(response, r.status, r.code)) << response.body;
    EXPECT_EQ(response.body.find(key_id), std::string::npos) << "the answer must not echo the key";
    EXPECT_EQ(alices_view(), before) << "alice's key changed";
  }
}

TEST_F(VaultIsolation, AnAdminGets404OnAnotherUsersKeyThroughOwnAndDefaultKeyRoutes) {
  // Admin rights cover users, tokens, default keys and audit, not a user's own keys.
  const json::object before = alices_view();
  for (const auto& r : key_routes(404, "not_found", 404, "not_found")) {
    const std::string target = with_id(r.path, key_id);
    SCOPED_TRACE("admin: " + r.method + " " + target);
    auto response = vault.call(vault.admin(), r.method, target, r.body);
    EXPECT_TRUE(is_api_error(response, r.status, r.code)) << response.body;
    EXPECT_EQ(alices_view(), before) << "alice's key changed";
  }
}

TEST_F(VaultIsolation, AnExistingForeignIdAnswersExactlyLikeAnIdThatNeverExisted) {
  // Status, code and message must not tell "someone else's" from "no such key".
  const std::string missing = "01900000-0000-7000-8000-000000000000";
  for (const auto& r : key_routes(404, "not_found", 403, "forbidden")) {
    SCOPED_TRACE("bob: " + r.method + " " + r.path);
    auto foreign = vault.call(bob, r.method, with_id(r.path, key_id), r.body);
    auto absent = vault.call(bob, r.method, with_id(r.path, missing), r.body);
    ASSERT_EQ(foreign.status, absent.status);
    auto foreign_error = object_of(foreign).at("error").as_object();
    auto absent_error = object_of(absent).at("error").as_object();
    EXPECT_EQ(foreign_error.at("code"), absent_error.at("code"));
    EXPECT_EQ(foreign_error.at("message"), absent_error.at("message"));
  }
}

TEST_F(VaultIsolation, AnotherUsersKeyIsNeverListed) {
  auto bobs_key = create_key(vault, bob, "openai", "bobs", make_secret(), {{"expires_at", rfc3339_in_days(3)}});
  const std::vector<std::string> lists = {"/api/v1/keys",
                                          "/api/v1/keys?provider=openai",
                                          "/api/v1/keys?status=active",
                                          "/api/v1/keys?limit=1",
                                          "/api/v1/keys/expiring?within_days=30",
                                          "/api/api-keys",
                                          "/api/keys",
                                          "/api/keys/expiring?within_days=30"};
  for (const auto& list : lists) {
    SCOPED_TRACE(list);
    auto for_bob = list_all(vault, bob, list);
    EXPECT_FALSE(contains_id(for_bob, key_id)) << "bob sees alice's key";
    EXPECT_TRUE(contains_id(for_bob, str(bobs_key, "id")));
    auto for_alice = list_all(vault, alice, list);
    EXPECT_TRUE(contains_id(for_alice, key_id)) << "alice lost her key";
    EXPECT_FALSE(contains_id(for_alice, str(bobs_key, "id"))) << "alice sees bob's key";
  }
  EXPECT_FALSE(contains_id(list_all(vault, vault.admin(), "/api/v1/keys"), key_id));
  EXPECT_FALSE(contains_id(list_all(vault, vault.admin(), "/api/v1/default-keys"), key_id));
}

TEST_F(VaultIsolation, AnotherUsersAuditNeverShowsTheKeyOwnersEvents) {
  // Alice acts on her key; bob probes it on every route.
  ASSERT_EQ(vault.call(alice, "PATCH", "/api/v1/keys/" + key_id, R"({"priority":2})").status, 200);
  ASSERT_EQ(
      vault.call(alice, "POST", "/api/v1/keys/" + key_id + "/rotate", body_of({{"secret", make_secret()}})).status,
      200);
  alices_view();
  for (const auto& r : key_routes(404, "not_found", 403, "forbidden"))
    vault.call(bob, r.method, with_id(r.path, key_id), r.body);
  create_key(vault, bob, "openai", "bobs", make_secret());

  for (std::string_view path : {"/api/v1/audit?limit=200", "/api/keys/audit?limit=200"}) {
    SCOPED_TRACE(std::string(path));
    auto events = list_all(vault, bob, path);
    EXPECT_FALSE(events.empty()) << "bob's own key.created is his";
    for (const auto& e : events) {
      EXPECT_TRUE(is_audit_event_shape(e));
      EXPECT_NE(str(e, "key_id"), key_id) << body_of(e);
      EXPECT_NE(str(e.at("actor").as_object(), "user_id"), alice.user_id) << body_of(e);
      EXPECT_NE(str(e, "on_behalf_of"), alice.user_id) << body_of(e);
    }
  }
  EXPECT_TRUE(audit_events(vault, bob, "key_id=" + key_id).empty());
  EXPECT_TRUE(is_api_error(vault.call(bob, "GET", "/api/v1/audit?user_id=" + alice.user_id), 403, "forbidden"));
}

TEST_F(VaultIsolation, AnAdminSeesAUsersEventsWithTheUserIdFilter) {
  ASSERT_EQ(vault.call(alice, "PATCH", "/api/v1/keys/" + key_id, R"({"priority":2})").status, 200);
  create_key(vault, bob, "openai", "bobs", make_secret());

  auto events = audit_events(vault, vault.admin(), "user_id=" + alice.user_id);
  std::vector<std::string> actions;
  for (const auto& e : events) {
    EXPECT_TRUE(is_audit_event_shape(e));
    const bool alices = str(e.at("actor").as_object(), "user_id") == alice.user_id ||
                        str(e, "on_behalf_of") == alice.user_id || str(e, "key_id") == key_id;
    EXPECT_TRUE(alices) << "not alice's: " << body_of(e);
    if (str(e, "key_id") == key_id) actions.push_back(str(e, "action"));
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"key.updated", "key.created"})) << "newest first";

  // Alice sees the same events of her key herself.
  std::vector<std::string> own;
  for (const auto& e : audit_events(vault, alice, "key_id=" + key_id)) own.push_back(str(e, "action"));
  EXPECT_EQ(own, actions);
}

}  // namespace
}  // namespace keyrelay::test
