#pragma once
// StoreContract: the fixture of the store contract suite. Each test gets a fresh, migrated store of
// the engine under test in its own temp dir, a TestSealer, and builders for valid records.
// A test file derives one suite per concept and instantiates it with KEYRELAY_STORE_CONTRACT.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "record_text.h"
#include "store/store.h"
#include "store_engines.h"
#include "support/temp_dir.h"
#include "test_sealer.h"

namespace keyrelay::store::test {

// 2026-01-01T00:00:00Z plus `seconds`: whole milliseconds, so times survive every engine unchanged.
TimePoint at(std::int64_t seconds);

class StoreContract : public ::testing::TestWithParam<StoreEngine> {
 protected:
  void SetUp() override;

  // Another store on the same database (as a second process would open it), already migrated.
  std::unique_ptr<Store> open_again();

  // ---- builders (valid records; every call gives fresh ids, secrets and fingerprints) ----
  UserRecord make_user(std::string_view name, Role role = Role::user);
  TokenRecord make_token(const UserRecord& user, std::string_view name = "cli");
  KeyRecord make_key(const UserRecord& owner, std::string_view provider, std::string_view name);
  // An event on the management chain "node-1/mgmt" (or `chain`).
  AuditEvent make_event(std::string_view action, std::string_view chain = "node-1/mgmt");
  // A warning alert of `rule` for `user` (about `key` when given), first and last seen now.
  AlertRecord make_alert(const UserRecord& user, std::string_view rule, const KeyRecord* key = nullptr);
  // A delta for `key` at `when`: `requests` requests, 10 input and 20 output tokens per request, no errors.
  UsageDelta make_usage(const KeyRecord& key, TimePoint when, std::int64_t requests = 1);

  // ---- helpers that assert success ----
  UserRecord add_user(std::string_view name, Role role = Role::user);
  TokenRecord add_token(const UserRecord& user, std::string_view name = "cli");
  KeyRecord add_key(const UserRecord& owner, std::string_view provider, std::string_view name);
  std::vector<AuditEvent> chain_events(std::string_view chain = "node-1/mgmt");
  std::uint64_t generation();

  ::keyrelay::test::TempDir dir_;
  TestSealer sealer_;
  std::unique_ptr<Store> store_;
  std::int64_t clock_ = 0;  // seconds handed out by the builders, so creation order is fixed
};

// Everything a Store shows through its interface (users, tokens, keys, every user's usage, alerts,
// audit chains, generation) as text: equal snapshots before and after a failed call prove that it
// changed nothing.
std::string snapshot(Store& store);

// Pages through a list with `limit`; fails the test on an error or a page larger than `limit`.
template <class T, class List>
std::vector<T> collect_pages(std::size_t limit, List&& list) {
  std::vector<T> all;
  PageRequest page;
  page.limit = limit;
  for (int guard = 0; guard < 10000; ++guard) {
    auto got = list(page);
    EXPECT_TRUE(got.has_value()) << (got ? "" : got.error().message);
    if (!got) return all;
    EXPECT_LE(got->items.size(), limit);
    for (auto& item : got->items) all.push_back(std::move(item));
    if (!got->next_cursor) return all;
    EXPECT_FALSE(got->items.empty()) << "a page with a cursor must not be empty";
    page.cursor = got->next_cursor;
  }
  ADD_FAILURE() << "pagination does not end";
  return all;
}

}  // namespace keyrelay::store::test
