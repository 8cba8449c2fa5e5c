// Contract: alerts — raising (repeats coalesce while open), listing newest first with filters and
// cursors, resolving with user scoping; each change appends its audit event.

#include "store/store.h"

#include <algorithm>
#include <thread>

#include "store_contract.h"

namespace keyrelay::store::test {
namespace {

class AlertsContract : public StoreContract {
 protected:
  AlertRecord raise(const AlertRecord& alert) {
    auto raised = store_->raise_alert(alert, make_event("alert.raised"));
    EXPECT_TRUE(raised) << raised.error().message;
    return raised ? *raised : AlertRecord{};
  }

  AlertRecord resolve(const AlertRecord& alert, TimePoint when) {
    auto resolved = store_->resolve_alert(alert.id, std::nullopt, when, make_event("alert.resolved"));
    EXPECT_TRUE(resolved) << resolved.error().message;
    return resolved ? *resolved : AlertRecord{};
  }

  std::vector<AlertRecord> listed(const AlertFilter& filter, std::size_t limit = 200) {
    return collect_pages<AlertRecord>(limit, [&](const PageRequest& p) { return store_->list_alerts(filter, p); });
  }
};
KEYRELAY_STORE_CONTRACT(AlertsContract);

TEST_P(AlertsContract, ANewAlertRoundTripsEveryField) {
  auto alice = add_user("alice");
  auto key = add_key(alice, "openai", "work");
  auto alert = make_alert(alice, "key.invalid", &key);
  alert.severity = AlertSeverity::critical;
  alert.message = "the provider rejected the key";
  alert.first_seen = at(100);
  alert.last_seen = at(150);
  EXPECT_EQ(text(raise(alert)), text(alert));
  auto all = listed({});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(text(all[0]), text(alert));
}

TEST_P(AlertsContract, ANewAlertIsStoredOpenWhateverItsStatusSays) {
  auto alice = add_user("alice");
  auto alert = make_alert(alice, "key.expiring");
  alert.status = AlertStatus::resolved;
  alert.resolved_at = at(5);
  auto raised = raise(alert);
  EXPECT_EQ(raised.status, AlertStatus::open);
  EXPECT_FALSE(raised.resolved_at);
}

TEST_P(AlertsContract, RepeatsCoalesceWhileOpen) {
  auto alice = add_user("alice");
  auto key = add_key(alice, "openai", "work");
  auto first = raise(make_alert(alice, "key.errors", &key));
  auto repeat = make_alert(alice, "key.errors", &key);
  repeat.message = "12 errors in 5 minutes";
  auto merged = raise(repeat);

  auto expected = first;
  expected.count = 2;
  expected.last_seen = repeat.last_seen;
  expected.message = "12 errors in 5 minutes";
  EXPECT_EQ(text(merged), text(expected));
  auto again = raise(make_alert(alice, "key.errors", &key));
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(again.count, 3);
  auto all = listed({});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(text(all[0]), text(again));
}

TEST_P(AlertsContract, AbsentKeyAndProviderMatchAbsentAndEveryPartOfTheTupleCounts) {
  auto alice = add_user("alice");
  auto bob = add_user("bob");
  auto key = add_key(alice, "openai", "work");
  auto general = raise(make_alert(alice, "quota"));
  EXPECT_EQ(raise(make_alert(alice, "quota")).id, general.id) << "absent key and provider equal absent";

  std::vector<AlertRecord> distinct{make_alert(alice, "quota", &key), make_alert(alice, "other"),
                                    make_alert(bob, "quota")};
  auto provider_only = make_alert(alice, "quota");
  provider_only.provider = "openai";
  distinct.push_back(provider_only);
  auto other_key = make_alert(alice, "quota", &key);
  other_key.key_id = "another-key";
  distinct.push_back(other_key);
  for (const auto& alert : distinct) {
    auto raised = raise(alert);
    EXPECT_EQ(raised.id, alert.id) << text(alert);
    EXPECT_EQ(raised.count, 1);
  }
  EXPECT_EQ(listed({}).size(), 1 + distinct.size());
}

TEST_P(AlertsContract, ACoalescedAlertKeepsTheHighestSeverity) {
  auto alice = add_user("alice");
  auto raise_with = [&](AlertSeverity severity) {
    auto alert = make_alert(alice, "key.errors");
    alert.severity = severity;
    return raise(alert).severity;
  };
  EXPECT_EQ(raise_with(AlertSeverity::info), AlertSeverity::info);
  EXPECT_EQ(raise_with(AlertSeverity::warning), AlertSeverity::warning);
  EXPECT_EQ(raise_with(AlertSeverity::info), AlertSeverity::warning);
  EXPECT_EQ(raise_with(AlertSeverity::critical), AlertSeverity::critical);
  EXPECT_EQ(raise_with(AlertSeverity::warning), AlertSeverity::critical);
  auto all = listed({});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].severity, AlertSeverity::critical);
  EXPECT_EQ(all[0].count, 5);
}

TEST_P(AlertsContract, LastSeenNeverMovesBack) {
  auto alice = add_user("alice");
  auto first = make_alert(alice, "key.errors");
  first.first_seen = first.last_seen = at(1000);
  raise(first);
  auto late = make_alert(alice, "key.errors");
  late.first_seen = late.last_seen = at(900);  // raised by a slower node
  auto merged = raise(late);
  EXPECT_EQ(merged.last_seen, at(1000));
  EXPECT_EQ(merged.first_seen, at(1000));
  EXPECT_EQ(merged.count, 2);
}

TEST_P(AlertsContract, ARaiseAfterResolveOpensANewAlert) {
  auto alice = add_user("alice");
  auto first = raise(make_alert(alice, "key.invalid"));
  raise(make_alert(alice, "key.invalid"));
  resolve(first, at(5000));
  auto reopened = make_alert(alice, "key.invalid");
  auto second = raise(reopened);
  EXPECT_EQ(second.id, reopened.id);
  EXPECT_NE(second.id, first.id);
  EXPECT_EQ(second.count, 1);
  EXPECT_EQ(second.status, AlertStatus::open);
  auto all = listed({});
  ASSERT_EQ(all.size(), 2u);
  auto old = std::find_if(all.begin(), all.end(), [&](const AlertRecord& a) { return a.id == first.id; });
  ASSERT_NE(old, all.end());
  EXPECT_EQ(old->status, AlertStatus::resolved);
  EXPECT_EQ(old->count, 2);
}

TEST_P(AlertsContract, EveryRaiseAndResolveAppendsItsEvent) {
  auto alice = add_user("alice");
  const auto before = chain_events().size();
  auto first = raise(make_alert(alice, "key.invalid"));
  raise(make_alert(alice, "key.invalid"));  // coalesced: still an event
  resolve(first, at(5000));
  auto events = chain_events();
  ASSERT_EQ(events.size(), before + 3);
  EXPECT_EQ(events[before].action, "alert.raised");
  EXPECT_EQ(events[before + 1].action, "alert.raised");
  EXPECT_EQ(events[before + 2].action, "alert.resolved");
}

TEST_P(AlertsContract, ListsNewestFirstWithFilters) {
  auto alice = add_user("alice");
  auto bob = add_user("bob");
  auto a1 = raise(make_alert(alice, "r1"));
  auto b1 = raise(make_alert(bob, "r1"));
  auto a2 = raise(make_alert(alice, "r2"));
  auto a3 = raise(make_alert(alice, "r3"));
  a1 = raise(make_alert(alice, "r1"));  // coalesced: now the newest
  a2 = resolve(a2, at(9000));
  b1 = resolve(b1, at(9001));

  EXPECT_EQ(ids(listed({})), (std::vector<std::string>{a1.id, a3.id, a2.id, b1.id}));
  EXPECT_EQ(ids(listed({alice.id, std::nullopt})), (std::vector<std::string>{a1.id, a3.id, a2.id}));
  EXPECT_EQ(ids(listed({std::nullopt, AlertStatus::open})), (std::vector<std::string>{a1.id, a3.id}));
  EXPECT_EQ(ids(listed({std::nullopt, AlertStatus::resolved})), (std::vector<std::string>{a2.id, b1.id}));
  EXPECT_EQ(ids(listed({bob.id, AlertStatus::open})), std::vector<std::string>{});
  EXPECT_EQ(ids(listed({bob.id, AlertStatus::resolved})), std::vector<std::string>{b1.id});
  EXPECT_EQ(ids(listed({"nobody", std::nullopt})), std::vector<std::string>{});
}

TEST_P(AlertsContract, PagesCoverEveryAlertOnceIncludingTies) {
  auto alice = add_user("alice");
  auto bob = add_user("bob");
  std::vector<AlertRecord> all;
  for (int i = 0; i < 8; ++i) {
    auto alert = make_alert(i % 3 == 0 ? bob : alice, "rule" + std::to_string(i));
    if (i % 2 == 0) alert.first_seen = alert.last_seen = at(0);  // ties on last_seen are ordered by id
    all.push_back(raise(alert));
  }
  std::sort(all.begin(), all.end(), [](const AlertRecord& a, const AlertRecord& b) {
    return std::tie(a.last_seen, a.id) > std::tie(b.last_seen, b.id);
  });
  std::vector<std::string> alice_ids;
  for (const auto& a : all)
    if (a.user_id == alice.id) alice_ids.push_back(a.id);
  for (std::size_t limit = 1; limit <= all.size() + 1; ++limit) {
    EXPECT_EQ(ids(listed({}, limit)), ids(all)) << "limit " << limit;
    EXPECT_EQ(ids(listed({alice.id, std::nullopt}, limit)), alice_ids) << "limit " << limit;
  }
}

TEST_P(AlertsContract, MalformedOrForeignCursorsAreInvalidRequest) {
  auto alice = add_user("alice");
  add_key(alice, "openai", "a");
  add_key(alice, "openai", "b");
  KeyFilter filter;
  filter.owner_id = alice.id;
  auto keys = store_->list_keys(filter, PageRequest{1, std::nullopt});
  ASSERT_TRUE(keys);
  ASSERT_TRUE(keys->next_cursor);
  for (const std::string& cursor : {std::string("not-a-cursor"), *keys->next_cursor}) {
    auto page = store_->list_alerts({}, PageRequest{10, cursor});
    ASSERT_FALSE(page) << cursor;
    EXPECT_EQ(page.error().code, core::Errc::invalid_request);
  }
}

TEST_P(AlertsContract, ResolveSetsTheStateAndIsIdempotent) {
  auto alice = add_user("alice");
  auto alert = raise(make_alert(alice, "key.invalid"));
  auto resolved = store_->resolve_alert(alert.id, alice.id, at(7000), make_event("alert.resolved"));
  ASSERT_TRUE(resolved) << resolved.error().message;
  auto expected = alert;
  expected.status = AlertStatus::resolved;
  expected.resolved_at = at(7000);
  EXPECT_EQ(text(*resolved), text(expected));

  const auto events_before = chain_events().size();
  auto again = store_->resolve_alert(alert.id, std::nullopt, at(8000), make_event("alert.resolved"));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(text(*again), text(expected)) << "an already resolved alert keeps its resolved_at";
  EXPECT_EQ(chain_events().size(), events_before + 1) << "the repeated resolve is still in the trail";
  auto all = listed({});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(text(all[0]), text(expected));
}

TEST_P(AlertsContract, AnotherUsersOrAnUnknownAlertIsNotFound) {
  auto alice = add_user("alice");
  auto bob = add_user("bob");
  auto alert = raise(make_alert(alice, "key.invalid"));
  const auto before = snapshot(*store_);
  for (auto [id, user] : std::vector<std::pair<std::string, std::optional<std::string>>>{
           {alert.id, bob.id}, {"no-such-alert", alice.id}, {"no-such-alert", std::nullopt}}) {
    auto resolved = store_->resolve_alert(id, user, at(7000), make_event("alert.resolved"));
    ASSERT_FALSE(resolved) << id;
    EXPECT_EQ(resolved.error().code, core::Errc::not_found);
  }
  EXPECT_EQ(snapshot(*store_), before);
  EXPECT_EQ(resolve(alert, at(7000)).status, AlertStatus::resolved) << "without a user: any user's alert";
}

TEST_P(AlertsContract, ADuplicateIdOrACountBelowOneIsRefused) {
  auto alice = add_user("alice");
  auto alert = raise(make_alert(alice, "r1"));
  const auto before = snapshot(*store_);
  auto duplicate = make_alert(alice, "r2");
  duplicate.id = alert.id;
  auto raised = store_->raise_alert(duplicate, make_event("alert.raised"));
  ASSERT_FALSE(raised);
  EXPECT_EQ(raised.error().code, core::Errc::conflict);
  auto zero = make_alert(alice, "r3");
  zero.count = 0;
  raised = store_->raise_alert(zero, make_event("alert.raised"));
  ASSERT_FALSE(raised);
  EXPECT_EQ(raised.error().code, core::Errc::invalid_request);
  EXPECT_EQ(snapshot(*store_), before);
}

TEST_P(AlertsContract, EverySeverityAndStatusNameRoundTrips) {
  for (auto severity : {AlertSeverity::info, AlertSeverity::warning, AlertSeverity::critical})
    EXPECT_EQ(parse_alert_severity(alert_severity_name(severity)), severity);
  for (auto status : {AlertStatus::open, AlertStatus::resolved})
    EXPECT_EQ(parse_alert_status(alert_status_name(status)), status);
  EXPECT_FALSE(parse_alert_severity("fatal"));
  EXPECT_FALSE(parse_alert_status("closed"));
}

// Nodes that see the same trouble at once raise the same alert at once: the raises coalesce into
// one open alert, counting every one, each with its event.
TEST_P(AlertsContract, RaisesOfOneAlertFromSeveralInstancesAtOnceCoalesceIntoOne) {
  auto alice = add_user("alice");
  auto key = add_key(alice, "openai", "work");
  auto other = open_again();
  ASSERT_TRUE(other);
  const auto events_before = chain_events().size();
  constexpr int kThreads = 4, kRaises = 10;
  std::vector<AlertRecord> alerts;
  std::vector<AuditEvent> events;
  for (int i = 0; i < kThreads * kRaises; ++i) {
    alerts.push_back(make_alert(alice, "key.errors", &key));
    events.push_back(make_event("alert.raised"));
  }
  std::vector<std::vector<std::string>> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Store& store = t % 2 == 0 ? *store_ : *other;
      for (int i = 0; i < kRaises; ++i) {
        const auto n = static_cast<std::size_t>(t * kRaises + i);
        if (auto raised = store.raise_alert(alerts[n], events[n]); !raised)
          errors[static_cast<std::size_t>(t)].push_back(raised.error().message);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& list : errors)
    for (const auto& error : list) ADD_FAILURE() << error;

  auto all = listed({});
  ASSERT_EQ(all.size(), 1u) << "one open alert, not one per racing raise";
  EXPECT_EQ(all[0].count, kThreads * kRaises);
  EXPECT_EQ(all[0].status, AlertStatus::open);
  EXPECT_EQ(chain_events().size(), events_before + kThreads * kRaises);
}

}  // namespace
}  // namespace keyrelay::store::test
