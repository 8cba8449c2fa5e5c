// Session tokens for the settings page inside a host app (API.md round 2: POST /api/v1/sessions)
// and the tokens a user issues itself from the page, through the real binary: who may mint a
// session, its ttl bounds, the scopes it carries, its audit event, its end at expiry, and that a
// listing tells it apart.

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <ctime>
#include <thread>

#include "api_json.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

// Seconds since the epoch of an RFC 3339 UTC time ("2026-12-07T20:00:00Z", fraction ignored).
std::time_t epoch_of(const std::string& text) {
  std::tm tm{};
  if (::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) throw std::runtime_error("not a time: " + text);
  return ::timegm(&tm);
}

class Sessions : public ::testing::Test {
 protected:
  HttpResponse mint(const Identity& host, json::object body, const HeaderList& extra = {}) {
    return vault.call(host, "POST", "/api/v1/sessions", body_of(body), extra);
  }
  // A session of alice's minted by `host`, as an Identity.
  Identity session_for_alice(const Identity& host, int ttl = 900) {
    auto r = mint(host, {{"user_id", alice.user_id}, {"ttl", ttl}});
    if (r.status != 201) throw std::runtime_error("session: " + std::to_string(r.status) + " " + r.body);
    auto o = object_of(r);
    return Identity{alice.user_id, "alice", str(o, "token"), str(o, "id")};
  }

  VaultServer vault;
  Identity alice = vault.add_user("alice");
  Identity backend = vault.add_user("host-backend", false, "act_as");
};

TEST_F(Sessions, AnAdminAndAnActAsTokenMintASessionThatWorksAsTheUser) {
  for (const Identity* host : std::vector<const Identity*>{&vault.admin(), &backend}) {
    auto r = mint(*host, {{"user_id", alice.user_id}});
    ASSERT_EQ(r.status, 201) << r.body;
    auto o = object_of(r);
    EXPECT_TRUE(str(o, "token").starts_with("kr_"));
    EXPECT_EQ(json::serialize(o.at("scopes")), R"(["keys:read","keys:write","gateway","audit:read"])");
    const Identity session{alice.user_id, "alice", str(o, "token"), str(o, "id")};
    create_key(vault, session, "openai", host == &backend ? "via-act-as" : "via-admin", make_secret());
  }
  EXPECT_EQ(list_all(vault, alice, "/api/v1/keys").size(), 2u) << "the sessions acted on alice's own keys";
}

TEST_F(Sessions, APlainUserOrSomeoneActingForAUserMayNotMintOne) {
  EXPECT_TRUE(is_api_error(mint(alice, {{"user_id", alice.user_id}}), 403, "forbidden"));
  EXPECT_TRUE(is_api_error(mint(backend, {{"user_id", alice.user_id}}, {{"X-Keyrelay-On-Behalf-Of", alice.user_id}}),
                           403, "forbidden"));
  // A session cannot mint sessions either.
  auto session = session_for_alice(backend);
  EXPECT_TRUE(is_api_error(mint(session, {{"user_id", alice.user_id}}), 403, "forbidden"));
  EXPECT_TRUE(is_api_error(vault.send("POST", "/api/v1/sessions", {{"Content-Type", "application/json"}},
                                      body_of({{"user_id", alice.user_id}})),
                           401, "unauthenticated"));
}

TEST_F(Sessions, TheTtlIsBoundedAndDefaultsToFifteenMinutes) {
  for (const auto& bad : {json::value(0), json::value(901), json::value(-5), json::value("15m"), json::value(1.5)})
    EXPECT_TRUE(is_api_error(mint(backend, {{"user_id", alice.user_id}, {"ttl", bad}}), 400, "invalid_request"))
        << json::serialize(bad);
  EXPECT_TRUE(is_api_error(mint(backend, {}), 400, "invalid_request"));
  EXPECT_TRUE(is_api_error(mint(backend, {{"user_id", alice.user_id}, {"extra", 1}}), 400, "invalid_request"));
  EXPECT_TRUE(is_api_error(mint(backend, {{"user_id", "00000000-0000-7000-8000-000000000000"}}), 404, "not_found"));
  // act_as acts for plain users only; an admin's own session carries no admin power.
  EXPECT_TRUE(is_api_error(mint(backend, {{"user_id", vault.admin().user_id}}), 403, "forbidden"));

  auto r = mint(backend, {{"user_id", alice.user_id}});
  ASSERT_EQ(r.status, 201) << r.body;
  const auto id = str(object_of(r), "id");
  for (const auto& token : list_all(vault, alice, "/api/v1/tokens")) {
    if (str(token, "id") != id) {
      EXPECT_FALSE(token.at("session").as_bool()) << "alice's own token is not a session";
      continue;
    }
    EXPECT_TRUE(token.at("session").as_bool());
    EXPECT_EQ(epoch_of(str(token, "expires_at")) - epoch_of(str(token, "created_at")), 900);
  }
  auto short_one = mint(backend, {{"user_id", alice.user_id}, {"ttl", 60}});
  ASSERT_EQ(short_one.status, 201) << short_one.body;
  const auto expires = epoch_of(str(object_of(short_one), "expires_at"));
  EXPECT_NEAR(static_cast<double>(expires - std::time(nullptr)), 60.0, 5.0);
}

TEST_F(Sessions, ASessionCarriesUserScopesOnly) {
  auto session = session_for_alice(vault.admin());
  EXPECT_TRUE(is_api_error(vault.call(session, "GET", "/api/v1/users"), 403, "forbidden"));
  EXPECT_TRUE(is_api_error(vault.call(session, "GET", "/api/v1/keys", {}, {{"X-Keyrelay-On-Behalf-Of", alice.user_id}}),
                           403, "forbidden"))
      << "no act_as";
  EXPECT_EQ(vault.call(session, "GET", "/api/v1/audit").status, 200);
  EXPECT_EQ(vault.call(session, "GET", "/api/v1/tokens").status, 200);
}

TEST_F(Sessions, MintingIsAuditedAsTheHostOnBehalfOfTheUser) {
  auto session = session_for_alice(backend, 300);
  auto events = audit_events(vault, vault.admin(), "action=session.created");
  ASSERT_EQ(events.size(), 1u);
  const auto& e = events.front();
  EXPECT_TRUE(is_audit_event_shape(e));
  EXPECT_EQ(str(e.at("actor").as_object(), "token_id"), backend.token_id);
  EXPECT_EQ(str(e.at("actor").as_object(), "user_id"), backend.user_id);
  EXPECT_EQ(str(e, "on_behalf_of"), alice.user_id);
  EXPECT_EQ(str(e, "outcome"), "success");
  const auto details = json::serialize(e.at("details"));
  EXPECT_NE(details.find(session.token_id), std::string::npos) << details;
  EXPECT_EQ(details.find(session.token), std::string::npos) << "the token text is never audited";
  // The user sees the event among its own.
  EXPECT_EQ(audit_events(vault, alice, "action=session.created").size(), 1u);
}

TEST_F(Sessions, ASessionStopsAtItsExpiryAndWhenRevoked) {
  auto session = session_for_alice(backend, 2);
  ASSERT_EQ(vault.call(session, "GET", "/api/v1/keys").status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(2600));
  EXPECT_TRUE(is_api_error(vault.call(session, "GET", "/api/v1/keys"), 401, "unauthenticated"));

  auto other = session_for_alice(backend);
  ASSERT_EQ(vault.call(other, "GET", "/api/v1/keys").status, 200);
  ASSERT_EQ(vault.call(vault.admin(), "DELETE", "/api/v1/tokens/" + other.token_id).status, 204);
  EXPECT_TRUE(is_api_error(vault.call(other, "GET", "/api/v1/keys"), 401, "unauthenticated"));
}

TEST_F(Sessions, ADeletedUsersSessionStopsAtOnce) {
  auto session = session_for_alice(backend);
  ASSERT_EQ(vault.call(session, "GET", "/api/v1/keys").status, 200);  // now in the token cache
  auto deleted = vault.call(vault.admin(), "DELETE", "/api/v1/users/" + alice.user_id);
  ASSERT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_TRUE(is_api_error(vault.call(session, "GET", "/api/v1/keys"), 401, "unauthenticated"));
  EXPECT_TRUE(is_api_error(mint(backend, {{"user_id", alice.user_id}}), 404, "not_found"));
}

TEST_F(Sessions, AUserIssuesItsOwnTokensWithScopesItHolds) {
  auto session = session_for_alice(backend);
  auto r = vault.call(session, "POST", "/api/v1/tokens",
                      body_of({{"name", "laptop"}, {"scopes", json::array{"gateway"}}, {"expires_at", rfc3339_in_days(30)}}));
  ASSERT_EQ(r.status, 201) << r.body;
  auto token = object_of(r);
  EXPECT_EQ(str(token, "user_id"), alice.user_id);
  EXPECT_EQ(json::serialize(token.at("scopes")), R"(["gateway"])");
  EXPECT_FALSE(token.at("session").as_bool());
  const Identity laptop{alice.user_id, "alice", str(token, "token"), str(token, "id")};
  EXPECT_TRUE(is_api_error(vault.call(laptop, "GET", "/api/v1/keys"), 403, "forbidden")) << "gateway only";

  // Without a list: every scope the caller may grant itself.
  auto all = vault.call(alice, "POST", "/api/v1/tokens", body_of({{"name", "all"}}));
  ASSERT_EQ(all.status, 201) << all.body;
  EXPECT_EQ(json::serialize(object_of(all).at("scopes")), R"(["keys:read","keys:write","gateway","audit:read"])");

  for (const char* scope : {"admin", "act_as", "keys:reveal"})
    EXPECT_TRUE(is_api_error(vault.call(session, "POST", "/api/v1/tokens", body_of({{"scopes", json::array{scope}}})),
                             403, "forbidden"))
        << scope;
  EXPECT_TRUE(is_api_error(
      vault.call(session, "POST", "/api/v1/tokens", body_of({{"user_id", backend.user_id}})), 403, "forbidden"));
  // A token without keys:write issues none, and cannot widen itself.
  auto reader = vault.issue_token(alice, "keys:read");
  EXPECT_TRUE(is_api_error(vault.call(reader, "POST", "/api/v1/tokens", body_of({{"name", "x"}})), 403, "forbidden"));
  auto writer = vault.issue_token(alice, "keys:write");
  EXPECT_TRUE(is_api_error(vault.call(writer, "POST", "/api/v1/tokens", body_of({{"scopes", json::array{"gateway"}}})),
                           403, "forbidden"));

  // The user revokes it, and it stops.
  ASSERT_EQ(vault.call(session, "DELETE", "/api/v1/tokens/" + laptop.token_id).status, 204);
  EXPECT_EQ(vault.call(laptop, "POST", "/v1/chat/completions", "{}").status, 401);
}

TEST_F(Sessions, AnAdminTokenWithOnlyTheAdminScopeStillIssuesTokensForAnyone) {
  const Identity admin_only = vault.issue_token(vault.admin(), "admin");
  auto r = vault.call(admin_only, "POST", "/api/v1/tokens",
                      body_of({{"user_id", alice.user_id}, {"scopes", json::array{"keys:read"}}}));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(str(object_of(r), "user_id"), alice.user_id);
}

TEST(SessionsAtScale, MintingIsNotAManagementChangeOfTheBackend) {
  // A host mints a session per page view of each of its users: the mutation limit of its own user
  // (3 a minute here) must not throttle it.
  VaultServer vault(VaultServer::Options{.env = {{"KEYRELAY_RATE_LIMIT_MUTATIONS", "3/1m"}}});
  const Identity alice = vault.add_user("alice");
  const Identity backend = vault.add_user("host-backend", false, "act_as");
  for (int i = 0; i < 6; ++i) {
    auto r = vault.call(backend, "POST", "/api/v1/sessions", body_of({{"user_id", alice.user_id}}));
    ASSERT_EQ(r.status, 201) << i << ": " << r.body;
  }
}

}  // namespace
}  // namespace keyrelay::test
