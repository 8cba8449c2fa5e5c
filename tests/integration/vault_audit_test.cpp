// The audit trail as the API shows it: every key action leaves its event with who, what, from
// where and which request; newest first; cursor pages that return each event once; from/to
// filters. API.md "Contract details: Audit event, Collections".

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <chrono>
#include <map>
#include <set>

#include "api_json.h"
#include "core/time_format.h"
#include "support/deadline.h"
#include "vault_api.h"
#include "vault_harness.h"

namespace keyrelay::test {
namespace {

namespace json = boost::json;
using std::chrono::system_clock;

class VaultAudit : public ::testing::Test {
 protected:
  VaultServer vault;
  Identity alice = vault.add_user("alice");
};

system_clock::time_point time_of(const json::object& event) {
  auto t = core::parse_rfc3339(event.at("time").as_string());
  if (!t) throw std::runtime_error("bad audit time in " + body_of(event));
  return *t;
}

std::string date_of(system_clock::time_point t) { return core::format_rfc3339(t).substr(0, 10); }

std::set<std::string> id_set(const std::vector<json::object>& events) {
  auto ids = ids_of(events);
  return {ids.begin(), ids.end()};
}

TEST_F(VaultAudit, EveryKeyActionLeavesAnEventWithActorKeyAndRequestFacts) {
  const std::string tag = random_base64url(8);
  auto headers_for = [&](const std::string& action) {
    return HeaderList{{"X-Request-Id", "vault-audit-" + action + "-" + tag},
                      {"User-Agent", "vault-audit-test/2.0 (" + action + ")"}};
  };
  auto created = vault.call(alice, "POST", "/api/v1/keys",
                            body_of({{"provider", "openai"}, {"name", "audited"}, {"secret", make_secret()}}),
                            headers_for("create"));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.header("X-Request-Id"), "vault-audit-create-" + tag);
  const std::string id = str(object_of(created), "id");
  const std::string path = "/api/v1/keys/" + id;
  ASSERT_EQ(vault.call(alice, "GET", path, {}, headers_for("read")).status, 200);
  ASSERT_EQ(vault.call(alice, "PATCH", path, R"({"priority":2})", headers_for("update")).status, 200);
  ASSERT_EQ(
      vault.call(alice, "POST", path + "/rotate", body_of({{"secret", make_secret()}}), headers_for("rotate")).status,
      200);
  ASSERT_EQ(vault.call(alice, "DELETE", path, {}, headers_for("delete")).status, 204);

  const std::vector<std::pair<std::string, std::string>> expected = {// newest first
                                                                     {"key.deleted", "delete"},
                                                                     {"key.rotated", "rotate"},
                                                                     {"key.updated", "update"},
                                                                     {"key.read", "read"},
                                                                     {"key.created", "create"}};
  for (const Identity* reader : std::initializer_list<const Identity*>{&alice, &vault.admin()}) {
    SCOPED_TRACE("read by " + reader->name);
    auto events = audit_events(vault, *reader, "key_id=" + id);
    ASSERT_EQ(events.size(), expected.size()) << "events: " << json::serialize(json::value_from(events));
    for (std::size_t i = 0; i < events.size(); ++i) {
      const auto& e = events[i];
      SCOPED_TRACE(expected[i].first);
      EXPECT_TRUE(is_audit_event_shape(e));
      EXPECT_EQ(str(e, "action"), expected[i].first);
      EXPECT_EQ(str(e, "outcome"), "success");
      const auto& actor = e.at("actor").as_object();
      EXPECT_EQ(str(actor, "user_id"), alice.user_id);
      EXPECT_EQ(str(actor, "token_id"), alice.token_id);
      EXPECT_EQ(str(actor, "kind"), "token");
      EXPECT_TRUE(e.at("on_behalf_of").is_null());
      EXPECT_EQ(str(e, "key_id"), id);
      EXPECT_EQ(str(e, "provider"), "openai");
      EXPECT_EQ(str(e, "ip"), "127.0.0.1");
      EXPECT_EQ(str(e, "user_agent"), "vault-audit-test/2.0 (" + expected[i].second + ")");
      EXPECT_EQ(str(e, "request_id"), "vault-audit-" + expected[i].second + "-" + tag);
    }
  }
}

TEST_F(VaultAudit, EventsComeNewestFirstAndInChainOrder) {
  // Many events in quick succession, so that several share a millisecond: "newest first" must
  // still hold between them (a chain's seq says which one is newer).
  for (int i = 0; i < 4; ++i) {
    auto key = create_key(vault, alice, "openai", "k" + std::to_string(i), make_secret());
    auto connection = vault.server().connect();  // keep-alive: back-to-back reads
    for (int j = 0; j < 10; ++j) {
      auto r =
          connection.request("GET", "/api/v1/keys/" + str(key, "id"), {{"Authorization", "Bearer " + alice.token}});
      ASSERT_EQ(r.status, 200) << r.body;
    }
  }
  auto events = audit_events(vault, vault.admin());
  ASSERT_GE(events.size(), 44u);
  std::map<std::string, const json::object*> previous;  // per chain, the event listed last
  std::string inversions;
  int count = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_TRUE(is_audit_event_shape(events[i]));
    if (i > 0) {
      EXPECT_LE(time_of(events[i]), time_of(events[i - 1])) << "event " << i << " is newer than " << i - 1;
    }
    const std::string chain = str(events[i], "chain");
    if (auto it = previous.find(chain); it != previous.end()) {
      const json::object& newer = *it->second;
      if (events[i].at("seq").to_number<std::int64_t>() > newer.at("seq").to_number<std::int64_t>()) {
        if (count++ == 0) inversions = body_of(newer) + "\n  is listed before the newer\n" + body_of(events[i]);
      }
    }
    previous[chain] = &events[i];
  }
  EXPECT_EQ(count, 0) << count << " pairs of events of one chain are listed oldest first, e.g.\n" << inversions;
}

TEST_F(VaultAudit, CursorPagesReturnEveryEventExactlyOnce) {
  auto key = create_key(vault, alice, "openai", "paged", make_secret());
  for (int i = 0; i < 34; ++i) get_key(vault, alice, "/api/v1/keys/" + str(key, "id"));
  const auto all = list_page(vault, alice, "/api/v1/audit?limit=200");
  ASSERT_GE(all.size(), 35u);

  // Walk by hand with limit=7, writing new events between pages: they are newer than the cursor,
  // so the walk must still return the original events exactly once, in order.
  std::vector<json::object> walked;
  std::optional<std::string> cursor;
  for (int page = 0; page < 100; ++page) {
    std::string target = "/api/v1/audit?limit=7";
    if (cursor) target += "&cursor=" + url_encode(*cursor);
    auto response = vault.call(alice, "GET", target);
    ASSERT_TRUE(is_collection(response));
    auto body = object_of(response);
    const auto& data = body.at("data").as_array();
    EXPECT_LE(data.size(), 7u);
    for (const auto& e : data) walked.push_back(e.as_object());
    get_key(vault, alice, "/api/v1/keys/" + str(key, "id"));  // a new event meanwhile
    if (body.at("next_cursor").is_null()) break;
    EXPECT_EQ(data.size(), 7u) << "only the last page may be short";
    cursor = std::string(body.at("next_cursor").as_string());
  }
  std::vector<std::string> original = ids_of(all);
  std::vector<std::string> seen = ids_of(walked);
  EXPECT_EQ(seen.size(), id_set(walked).size()) << "an event came twice";
  EXPECT_EQ(seen, original);
}

TEST_F(VaultAudit, FromAndToSelectEventsByTime) {
  auto key = create_key(vault, alice, "openai", "timed", make_secret());
  const std::string path = "/api/v1/keys/" + str(key, "id");
  const std::string by_key = "key_id=" + str(key, "id");
  get_key(vault, alice, path);
  get_key(vault, alice, path);
  const auto first_batch = audit_events(vault, alice, by_key);
  ASSERT_EQ(first_batch.size(), 3u);
  const auto first_newest = time_of(first_batch.front());
  const auto first_oldest = time_of(first_batch.back());

  // Let the clock pass the first batch's last millisecond, so the batches cannot share one.
  ASSERT_TRUE(poll_until(
      deadline_in(std::chrono::milliseconds{2000}),
      [&] { return system_clock::now() > first_newest + std::chrono::milliseconds{5}; }, std::chrono::milliseconds{1}));
  ASSERT_EQ(vault.call(alice, "PATCH", path, R"({"priority":5})").status, 200);
  get_key(vault, alice, path);
  const auto everything = audit_events(vault, alice, by_key);
  ASSERT_EQ(everything.size(), 5u);
  const std::vector<json::object> second_batch(everything.begin(), everything.begin() + 2);
  const auto second_oldest = time_of(second_batch.back());
  ASSERT_GT(second_oldest, first_newest);

  auto q = [&](std::string extra) { return audit_events(vault, alice, by_key + "&" + extra); };
  EXPECT_EQ(id_set(q("to=" + (core::format_rfc3339(first_newest)))), id_set(first_batch)) << "to is inclusive";
  EXPECT_EQ(id_set(q("from=" + (core::format_rfc3339(second_oldest)))), id_set(second_batch)) << "from is inclusive";
  EXPECT_EQ(id_set(q("from=" + (core::format_rfc3339(first_oldest)) + "&to=" + (core::format_rfc3339(first_newest)))),
            id_set(first_batch));
  EXPECT_EQ(q("from=" + (core::format_rfc3339(first_newest + std::chrono::milliseconds{1})) +
              "&to=" + (core::format_rfc3339(second_oldest - std::chrono::milliseconds{1})))
                .size(),
            0u);

  // Whole UTC dates.
  const auto day = std::chrono::hours(24);
  EXPECT_EQ(id_set(q("from=" + date_of(first_oldest))), id_set(everything));
  EXPECT_EQ(id_set(q("to=" + date_of(time_of(everything.front())))), id_set(everything))
      << "to=<date> is the whole day";
  EXPECT_TRUE(q("to=" + date_of(first_oldest - day)).empty());
  EXPECT_TRUE(q("from=" + date_of(time_of(everything.front()) + day)).empty());
}

// Found by fuzzing (tests/fuzz/corpus/api_json/finding-audit-to-2262-04-11): the end of the last
// day the clock can hold (2262-04-11) lies past the clock's range, and to=2262-04-11 overflowed
// into 1677: nothing was found, and with a from it was "from must not be after to".
TEST_F(VaultAudit, ToTheLastDayTheClockHoldsFindsEverything) {
  auto key = create_key(vault, alice, "openai", "far-future", make_secret());
  const std::string by_key = "key_id=" + str(key, "id");
  const auto all = audit_events(vault, alice, by_key);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(id_set(audit_events(vault, alice, by_key + "&to=2262-04-11")), id_set(all));
  auto both = vault.call(alice, "GET", "/api/v1/audit?" + by_key + "&from=2026-01-01&to=2262-04-11");
  ASSERT_EQ(both.status, 200) << describe(both);
}

TEST_F(VaultAudit, FromAndToAcceptPercentEncodedTimes) {
  // What URLSearchParams, curl --data-urlencode and every HTTP client library send: ':' as %3A.
  auto key = create_key(vault, alice, "openai", "encoded", make_secret());
  const auto events = audit_events(vault, alice, "key_id=" + str(key, "id"));
  ASSERT_EQ(events.size(), 1u);
  const std::string at = core::format_rfc3339(time_of(events[0]));
  auto response = vault.call(alice, "GET", "/api/v1/audit?from=" + url_encode(at) + "&to=" + url_encode(at));
  ASSERT_EQ(response.status, 200) << "GET /api/v1/audit?from=" << url_encode(at) << "\n" << describe(response);
  EXPECT_EQ(ids_of(list_page(vault, alice, "/api/v1/audit?from=" + url_encode(at) + "&to=" + url_encode(at))),
            ids_of(events));
}

TEST_F(VaultAudit, TheActionFilterSelectsOneKindOfEvent) {
  auto key = create_key(vault, alice, "openai", "filtered", make_secret());
  get_key(vault, alice, "/api/v1/keys/" + str(key, "id"));
  ASSERT_EQ(vault.call(alice, "PATCH", "/api/v1/keys/" + str(key, "id"), R"({"priority":1})").status, 200);
  for (std::string action : {"key.created", "key.read", "key.updated"}) {
    auto events = audit_events(vault, alice, "action=" + action);
    ASSERT_EQ(events.size(), 1u) << action;
    EXPECT_EQ(str(events[0], "action"), action);
  }
  EXPECT_TRUE(audit_events(vault, alice, "action=key.deleted").empty());
}

}  // namespace
}  // namespace keyrelay::test
