// Bad input gets the right status with the API error shape and changes nothing: the owner's key
// list and the successful state-changing audit events are the same before and after.
// API.md "Errors", "Resources" (names, secrets) and "Contract details" (collections, 4096 bytes).

#include <gtest/gtest.h>

#include "api_json.h"
#include "raw_requests.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;

struct BadRequest {
  std::string what;
  std::string method;
  std::string target;
  std::string body;
  HeaderList headers;  // e.g. a Content-Type other than the default application/json
  int status = 400;
  std::string code = "invalid_request";
};

class VaultInput : public ::testing::Test {
 protected:
  VaultServer vault;
  Identity alice = vault.add_user("alice");
  std::string first_secret = make_secret();
  json::object first = create_key(vault, alice, "openai", "primary", first_secret);
  json::object second = create_key(vault, alice, "openai", "secondary", make_secret());

  std::string first_path() const { return "/api/v1/keys/" + str(first, "id"); }
  std::string second_path() const { return "/api/v1/keys/" + str(second, "id"); }

  // What a rejected request must not change: every key of alice's (full objects), and the ids of
  // the successful events that record a change (reads and failed authentications excluded; a
  // failure or denial may be recorded).
  struct State {
    std::vector<json::object> keys;
    std::vector<std::string> changes;
    bool operator==(const State&) const = default;
  };
  State state() {
    State s{list_all(vault, alice, "/api/v1/keys?limit=200"), {}};
    for (const auto& e : audit_events(vault, vault.admin())) {
      const std::string action = str(e, "action");
      if (action == "key.read" || action == "auth.failed" || str(e, "outcome") != "success") continue;
      s.changes.push_back(str(e, "id"));
    }
    return s;
  }

  void expect_rejected_without_change(const std::vector<BadRequest>& cases) {
    for (const auto& c : cases) {
      SCOPED_TRACE(c.what + ": " + c.method + " " + c.target.substr(0, 80));
      const State before = state();
      auto response = vault.call(alice, c.method, c.target, c.body, c.headers);
      EXPECT_TRUE(is_api_error(response, c.status, c.code)) << response.body.substr(0, 500);
      EXPECT_TRUE(before == state()) << "the rejected request changed the vault";
    }
  }
};

std::string create_with(json::object fields) {
  if (!fields.contains("provider")) fields["provider"] = "openai";
  if (!fields.contains("secret")) fields["secret"] = make_secret();
  return body_of(fields);
}

TEST_F(VaultInput, CreateRejectsMalformedBodiesAndWrongTypes) {
  const std::string keys = "/api/v1/keys";
  expect_rejected_without_change({
      {"malformed JSON", "POST", keys, R"({"provider":"openai","secret":"sk-abcdefghijklmnop",)", {}},
      {"not an object", "POST", keys, R"(["openai","sk-abcdefghijklmnop"])", {}},
      {"empty body", "POST", keys, "", {}},
      {"priority as a string", "POST", keys, create_with({{"priority", "high"}}), {}},
      {"priority as a fraction", "POST", keys, create_with({{"priority", 1.5}}), {}},
      {"always_use as a string", "POST", keys, create_with({{"always_use", "yes"}}), {}},
      {"expires_at as a number", "POST", keys, create_with({{"expires_at", 123}}), {}},
      {"metadata as a string", "POST", keys, create_with({{"metadata", "x"}}), {}},
      {"name as a number", "POST", keys, create_with({{"name", 7}}), {}},
      {"secret as a number", "POST", keys, create_with({{"secret", 12345678901234567}}), {}},
      {"unknown field", "POST", keys, create_with({{"colour", "red"}}), {}},
  });
}

TEST_F(VaultInput, CreateRejectsAMissingOrUnknownProvider) {
  expect_rejected_without_change({
      {"missing provider", "POST", "/api/v1/keys", body_of({{"name", "x"}, {"secret", make_secret()}}), {}},
      {"unknown provider", "POST", "/api/v1/keys", create_with({{"provider", "foo"}}), {}},
      {"provider in another case", "POST", "/api/v1/keys", create_with({{"provider", "OpenAI"}}), {}},
      {"provider null", "POST", "/api/v1/keys", create_with({{"provider", nullptr}}), {}},
  });
}

TEST_F(VaultInput, CreateRejectsBadNames) {
  expect_rejected_without_change({
      {"space and capitals", "POST", "/api/v1/keys", create_with({{"name", "Bad Name"}}), {}},
      {"65 characters", "POST", "/api/v1/keys", create_with({{"name", std::string(65, 'a')}}), {}},
      {"empty", "POST", "/api/v1/keys", create_with({{"name", ""}}), {}},
      {"a dot", "POST", "/api/v1/keys", create_with({{"name", "my.key"}}), {}},
      {"non-ASCII", "POST", "/api/v1/keys", create_with({{"name", "cl\u00e9"}}), {}},
  });
  // 64 characters is the longest name allowed.
  EXPECT_NO_THROW(create_key(vault, alice, "openai", std::string(64, 'a'), make_secret()));
}

TEST_F(VaultInput, CreateRejectsBadSecrets) {
  expect_rejected_without_change({
      {"missing secret", "POST", "/api/v1/keys", body_of({{"provider", "openai"}, {"name", "x"}}), {}},
      {"empty secret", "POST", "/api/v1/keys", create_with({{"secret", ""}}), {}},
      {"secret with a space", "POST", "/api/v1/keys", create_with({{"secret", "sk-abcdefgh ijklmnop"}}), {}},
      {"secret with a newline", "POST", "/api/v1/keys", create_with({{"secret", "sk-abcdefgh\nijklmnop"}}), {}},
      {"secret with a tab", "POST", "/api/v1/keys", create_with({{"secret", "sk-abcdefgh\tijklmnop"}}), {}},
      {"secret with non-ASCII", "POST", "/api/v1/keys", create_with({{"secret", "sk-abcd\u00e9fghijklmnop"}}), {}},
      {"secret of 4097 bytes", "POST", "/api/v1/keys", create_with({{"secret", "sk-" + std::string(4094, 'a')}}), {}},
  });
  // 4096 bytes is the largest secret allowed.
  EXPECT_NO_THROW(create_key(vault, alice, "openai", "biggest", "sk-" + std::string(4093, 'b')));
}

TEST_F(VaultInput, CreateRejectsBadAndPastExpiryDates) {
  expect_rejected_without_change({
      {"not a date", "POST", "/api/v1/keys", create_with({{"expires_at", "tomorrow"}}), {}},
      {"month 13", "POST", "/api/v1/keys", create_with({{"expires_at", "2027-13-01T00:00:00Z"}}), {}},
      {"no time zone", "POST", "/api/v1/keys", create_with({{"expires_at", "2027-01-31T00:00:00"}}), {}},
      {"in the past", "POST", "/api/v1/keys", create_with({{"expires_at", "2020-01-01T00:00:00Z"}}), {}},
  });
}

TEST_F(VaultInput, OversizeBodyIs413AndChangesNothing) {
  // Valid JSON just over 64 KiB: the size alone must refuse it.
  std::string body = create_with({{"metadata", json::object{{"pad", std::string(64 * 1024, 'p')}}}});
  ASSERT_GT(body.size(), 64u * 1024);
  const State before = state();
  auto connection = vault.server().connect();
  auto response = send_and_read(
      connection,
      format_request("POST", "/api/v1/keys",
                     {{"Authorization", "Bearer " + alice.token}, {"Content-Type", "application/json"}}, body));
  ASSERT_TRUE(response) << "no answer to an oversize body";
  EXPECT_TRUE(is_api_error(*response, 413, "payload_too_large"));
  EXPECT_TRUE(before == state());
}

TEST_F(VaultInput, AWrongContentTypeIs415AndChangesNothing) {
  const HeaderList text = {{"Content-Type", "text/plain"}};
  const HeaderList form = {{"Content-Type", "application/x-www-form-urlencoded"}};
  expect_rejected_without_change({
      {"create as text", "POST", "/api/v1/keys", create_with({}), text, 415, "unsupported_media_type"},
      {"create as a form", "POST", "/api/v1/keys", create_with({}), form, 415, "unsupported_media_type"},
      {"patch as text", "PATCH", first_path(), R"({"priority":1})", text, 415, "unsupported_media_type"},
      {"rotate as text", "POST", first_path() + "/rotate", body_of({{"secret", make_secret()}}), text, 415,
       "unsupported_media_type"},
  });
}

TEST_F(VaultInput, ADuplicateNameForTheSameProviderIs409) {
  expect_rejected_without_change({
      {"create with a taken name", "POST", "/api/v1/keys", create_with({{"name", "primary"}}), {}, 409, "conflict"},
      {"rename onto a taken name", "PATCH", second_path(), R"({"name":"primary"})", {}, 409, "conflict"},
  });
}

TEST_F(VaultInput, TheSameSecretTwiceForTheSameProviderIs409) {
  expect_rejected_without_change({
      {"create with a stored secret",
       "POST",
       "/api/v1/keys",
       create_with({{"name", "copy"}, {"secret", first_secret}}),
       {},
       409,
       "conflict"},
      {"rotate to another key's secret",
       "POST",
       second_path() + "/rotate",
       body_of({{"secret", first_secret}}),
       {},
       409,
       "conflict"},
  });
}

TEST_F(VaultInput, TheSameSecretForAnotherProviderOrAnotherUserIsAccepted) {
  auto other_provider =
      vault.call(alice, "POST", "/api/v1/keys",
                 create_with({{"provider", "deepseek"}, {"name", "primary"}, {"secret", first_secret}}));
  EXPECT_EQ(other_provider.status, 201) << other_provider.body;
  auto bob = vault.add_user("bob");
  auto other_user =
      vault.call(bob, "POST", "/api/v1/keys", create_with({{"name", "primary"}, {"secret", first_secret}}));
  EXPECT_EQ(other_user.status, 201) << other_user.body;
}

TEST_F(VaultInput, PatchRejectsAnEmptyObjectWrongTypesAndFieldsItCannotChange) {
  expect_rejected_without_change({
      {"empty object", "PATCH", first_path(), "{}", {}},
      {"malformed JSON", "PATCH", first_path(), R"({"priority":)", {}},
      {"priority as a string", "PATCH", first_path(), R"({"priority":"high"})", {}},
      {"enabled as a string", "PATCH", first_path(), R"({"enabled":"no"})", {}},
      {"always_use as a string", "PATCH", first_path(), R"({"always_use":"yes"})", {}},
      {"expires_at as a number", "PATCH", first_path(), R"({"expires_at":123})", {}},
      {"expires_at in the past", "PATCH", first_path(), R"({"expires_at":"2020-01-01T00:00:00Z"})", {}},
      {"bad name", "PATCH", first_path(), R"({"name":"Bad Name"})", {}},
      {"empty name", "PATCH", first_path(), R"({"name":""})", {}},
      {"the secret", "PATCH", first_path(), body_of({{"secret", make_secret()}}), {}},
      {"the provider", "PATCH", first_path(), R"({"provider":"anthropic"})", {}},
      {"the version", "PATCH", first_path(), R"({"version":9})", {}},
  });
}

TEST_F(VaultInput, RotateRejectsBadSecrets) {
  expect_rejected_without_change({
      {"no secret", "POST", first_path() + "/rotate", "{}", {}},
      {"empty secret", "POST", first_path() + "/rotate", R"({"secret":""})", {}},
      {"secret with a space", "POST", first_path() + "/rotate", R"({"secret":"sk-abc defghijklmnop"})", {}},
      {"secret of 4097 bytes", "POST", first_path() + "/rotate", body_of({{"secret", std::string(4097, 'a')}}), {}},
      {"unknown field", "POST", first_path() + "/rotate", body_of({{"secret", make_secret()}, {"name", "x"}}), {}},
      {"malformed JSON", "POST", first_path() + "/rotate", R"({"secret":)", {}},
  });
}

TEST_F(VaultInput, MalformedLimitsAndCursorsAre400) {
  std::vector<BadRequest> cases;
  for (std::string list : {"/api/v1/keys", "/api/v1/audit", "/api/api-keys", "/api/keys/audit"}) {
    for (std::string query :
         {"limit=0", "limit=201", "limit=x", "limit=-1", "limit=", "cursor=not-a-cursor", "cursor=%00%01", "cursor="}) {
      cases.push_back({query, "GET", list + "?" + query, "", {}});
    }
  }
  expect_rejected_without_change(cases);
  // The bounds themselves are fine.
  EXPECT_EQ(vault.call(alice, "GET", "/api/v1/keys?limit=1").status, 200);
  EXPECT_EQ(vault.call(alice, "GET", "/api/v1/keys?limit=200").status, 200);
}

TEST_F(VaultInput, MalformedAuditDatesAndWindowsAre400) {
  expect_rejected_without_change({
      {"from not a date", "GET", "/api/v1/audit?from=yesterday", "", {}},
      {"to month 13", "GET", "/api/v1/audit?to=2026-13-01", "", {}},
      {"from after to", "GET", "/api/v1/audit?from=2026-02-02&to=2026-02-01", "", {}},
      {"within_days negative", "GET", "/api/v1/keys/expiring?within_days=-1", "", {}},
      {"within_days not a number", "GET", "/api/v1/keys/expiring?within_days=soon", "", {}},
      {"unknown status filter", "GET", "/api/v1/keys?status=sleeping", "", {}},
      {"unknown provider filter", "GET", "/api/v1/keys?provider=foo", "", {}},
  });
}

}  // namespace
}  // namespace keyrelay::test
