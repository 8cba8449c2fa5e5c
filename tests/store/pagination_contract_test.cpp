// Contract: cursor pagination of users, tokens, keys and audit events. Every limit covers every row
// exactly once, in list order, including rows that tie on time; malformed cursors are refused.

#include "store/store.h"

#include "core/encoding.h"
#include "store_contract.h"

namespace keyrelay::store::test {
namespace {

class PaginationContract : public StoreContract {
 protected:
  // Asserts that paging `list` with every limit 1..count+1 yields exactly `expected`.
  template <class T, class List>
  void expect_pages_cover(const std::vector<std::string>& expected, List list) {
    for (std::size_t limit = 1; limit <= expected.size() + 1; ++limit) {
      auto all = collect_pages<T>(limit, list);
      EXPECT_EQ(ids(all), expected) << "limit " << limit;
    }
  }
};
KEYRELAY_STORE_CONTRACT(PaginationContract);

TEST_P(PaginationContract, UserPagesCoverEveryUserOnce) {
  std::vector<std::string> expected;
  for (int i = 0; i < 7; ++i) {
    auto user = make_user("user" + std::to_string(i));
    if (i % 3 == 0) user.created_at = at(0);  // ties on creation time are ordered by id
    ASSERT_TRUE(store_->create_user(user, make_event("user.created")));
    expected.push_back(user.id);
  }
  auto all = store_->list_users(PageRequest{200, std::nullopt});
  ASSERT_TRUE(all);
  expected = ids(all->items);
  ASSERT_EQ(expected.size(), 7u);
  expect_pages_cover<UserRecord>(expected, [&](const PageRequest& p) { return store_->list_users(p); });
}

TEST_P(PaginationContract, TokenPagesCoverEveryTokenOnce) {
  auto alice = add_user("alice");
  auto bob = add_user("bob");
  std::vector<std::string> all_ids, alice_ids;
  for (int i = 0; i < 6; ++i) {
    auto& owner = i % 2 == 0 ? alice : bob;
    auto token = add_token(owner);
    all_ids.push_back(token.id);
    if (&owner == &alice) alice_ids.push_back(token.id);
  }
  expect_pages_cover<TokenRecord>(all_ids,
                                  [&](const PageRequest& p) { return store_->list_tokens(std::nullopt, p); });
  expect_pages_cover<TokenRecord>(alice_ids, [&](const PageRequest& p) { return store_->list_tokens(alice.id, p); });
}

TEST_P(PaginationContract, KeyPagesCoverEveryKeyOnceWithFilters) {
  auto owner = add_user("alice");
  auto other = add_user("bob");
  std::vector<std::string> all_ids, openai_ids;
  for (int i = 0; i < 9; ++i) {
    const std::string provider = i % 3 == 0 ? "anthropic" : "openai";
    auto key = make_key(owner, provider, "k" + std::to_string(i));
    key.priority = i % 2;
    if (i % 4 == 0) key.created_at = at(0);  // ties broken by id
    ASSERT_TRUE(store_->insert_key(key, make_event("key.created")));
    add_key(other, provider, "k" + std::to_string(i));  // never listed
  }
  KeyFilter filter;
  filter.owner_id = owner.id;
  auto all = store_->list_keys(filter, PageRequest{200, std::nullopt});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->items.size(), 9u);
  all_ids = ids(all->items);
  expect_pages_cover<KeyRecord>(all_ids, [&](const PageRequest& p) { return store_->list_keys(filter, p); });

  filter.provider = "openai";
  for (const auto& key : all->items)
    if (key.provider == "openai") openai_ids.push_back(key.id);
  expect_pages_cover<KeyRecord>(openai_ids, [&](const PageRequest& p) { return store_->list_keys(filter, p); });
}

TEST_P(PaginationContract, AuditPagesAreNewestFirstAndCoverEveryEventOnce) {
  std::vector<AuditEvent> events;
  for (int i = 0; i < 40; ++i) {
    auto event = make_event("key.used", i % 2 == 0 ? "node-1/use" : "node-2/use");
    if (i % 5 == 0) event.time = at(1);  // ties on time are ordered by seq, then id
    events.push_back(event);
  }
  ASSERT_TRUE(store_->append_audit(events));
  // The store assigns seq at append; read the whole list back and check its order.
  auto all = store_->list_audit({}, PageRequest{200, std::nullopt});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->items.size(), events.size());
  for (std::size_t i = 1; i < all->items.size(); ++i) {
    const auto& a = all->items[i - 1];
    const auto& b = all->items[i];
    const bool newer_first = a.time != b.time ? a.time > b.time : a.seq != b.seq ? a.seq > b.seq : a.id > b.id;
    EXPECT_TRUE(newer_first) << "rows " << i - 1 << " and " << i << " are out of order";
  }
  const auto expected = ids(all->items);
  expect_pages_cover<AuditEvent>(expected, [&](const PageRequest& p) { return store_->list_audit({}, p); });
}

TEST_P(PaginationContract, LastPageHasNoCursor) {
  auto owner = add_user("alice");
  add_user("bob");
  auto page = store_->list_users(PageRequest{2, std::nullopt});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->items.size(), 2u);
  EXPECT_FALSE(page->next_cursor) << "exactly `limit` rows left: no further page";
  auto one = store_->list_users(PageRequest{1, std::nullopt});
  ASSERT_TRUE(one);
  ASSERT_TRUE(one->next_cursor);
  EXPECT_EQ(one->items[0].id, owner.id);
}

TEST_P(PaginationContract, MalformedCursorsAreInvalidRequest) {
  auto owner = add_user("alice");
  add_user("bob");
  add_user("carol");
  add_key(owner, "openai", "a");
  add_key(owner, "openai", "b");
  add_token(owner);
  add_token(owner);

  KeyFilter filter;
  filter.owner_id = owner.id;
  auto users = store_->list_users(PageRequest{1, std::nullopt});
  auto keys = store_->list_keys(filter, PageRequest{1, std::nullopt});
  auto tokens = store_->list_tokens(std::nullopt, PageRequest{1, std::nullopt});
  auto audit = store_->list_audit({}, PageRequest{1, std::nullopt});
  ASSERT_TRUE(users && keys && tokens && audit);
  ASSERT_TRUE(users->next_cursor && keys->next_cursor && tokens->next_cursor && audit->next_cursor);

  struct List {
    std::string name;
    std::string good_cursor;
    std::function<core::Result<std::size_t>(const PageRequest&)> call;
  };
  const std::vector<List> lists{
      {"users", *users->next_cursor,
       [&](const PageRequest& p) -> core::Result<std::size_t> {
         auto r = store_->list_users(p);
         if (!r) return r.error();
         return r->items.size();
       }},
      {"keys", *keys->next_cursor,
       [&](const PageRequest& p) -> core::Result<std::size_t> {
         auto r = store_->list_keys(filter, p);
         if (!r) return r.error();
         return r->items.size();
       }},
      {"tokens", *tokens->next_cursor,
       [&](const PageRequest& p) -> core::Result<std::size_t> {
         auto r = store_->list_tokens(std::nullopt, p);
         if (!r) return r.error();
         return r->items.size();
       }},
      {"audit", *audit->next_cursor,
       [&](const PageRequest& p) -> core::Result<std::size_t> {
         auto r = store_->list_audit({}, p);
         if (!r) return r.error();
         return r->items.size();
       }},
  };
  for (const auto& list : lists) {
    std::vector<std::string> bad{"", "x", "!!!!", "not a cursor", "AAAAAAAAAAAA", std::string(5000, 'A'),
                                 list.good_cursor.substr(0, list.good_cursor.size() / 2),
                                 list.good_cursor + "A", list.good_cursor + "="};
    // Every single-character edit of a good cursor.
    for (std::size_t i = 0; i < list.good_cursor.size(); ++i) {
      auto edited = list.good_cursor;
      edited[i] = edited[i] == 'A' ? 'B' : 'A';
      bad.push_back(edited);
    }
    // The cursors of the other lists.
    for (const auto& other : lists)
      if (other.name != list.name) bad.push_back(other.good_cursor);

    for (const auto& cursor : bad) {
      auto result = list.call(PageRequest{1, cursor});
      ASSERT_FALSE(result) << list.name << " accepted cursor '" << cursor << "'";
      EXPECT_EQ(result.error().code, core::Errc::invalid_request) << list.name;
      EXPECT_EQ(result.error().message, "malformed cursor");
    }
    auto good = list.call(PageRequest{1, list.good_cursor});
    ASSERT_TRUE(good) << list.name << ": " << good.error().message;
    EXPECT_EQ(*good, 1u);
  }
}

}  // namespace
}  // namespace keyrelay::store::test
