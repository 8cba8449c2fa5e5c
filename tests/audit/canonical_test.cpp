#include "audit/canonical.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "audit/audit_key.h"
#include "audit_test_util.h"
#include "core/encoding.h"
#include "crypto/digest.h"

namespace keyrelay::audit {
namespace {

using Mutation = std::pair<std::string, std::function<void(store::AuditEvent&)>>;

std::vector<Mutation> single_field_mutations() {
  using store::ActorKind;
  using store::Outcome;
  return {
      {"id", [](auto& e) { e.id += "x"; }},
      {"chain", [](auto& e) { e.chain = "other/mgmt"; }},
      {"time", [](auto& e) { e.time += std::chrono::milliseconds(1); }},
      {"action", [](auto& e) { e.action = "key.deleted"; }},
      {"outcome", [](auto& e) { e.outcome = Outcome::denied; }},
      {"actor_user_id", [](auto& e) { e.actor_user_id = "user-9"; }},
      {"actor_user_id absent", [](auto& e) { e.actor_user_id.reset(); }},
      {"actor_user_id empty", [](auto& e) { e.actor_user_id = ""; }},
      {"actor_token_id", [](auto& e) { e.actor_token_id = "token-2"; }},
      {"actor_kind", [](auto& e) { e.actor_kind = ActorKind::cli; }},
      {"on_behalf_of", [](auto& e) { e.on_behalf_of.reset(); }},
      {"key_id", [](auto& e) { e.key_id = "key-9"; }},
      {"key_owner_id", [](auto& e) { e.key_owner_id = "user-3"; }},
      {"provider", [](auto& e) { e.provider = "anthropic"; }},
      {"ip", [](auto& e) { e.ip = "192.0.2.2"; }},
      {"user_agent", [](auto& e) { e.user_agent.reset(); }},
      {"request_id", [](auto& e) { e.request_id = "req-9"; }},
      {"details_json", [](auto& e) { e.details_json = R"({"n": 1})"; }},
      {"master_version", [](auto& e) { e.master_version = 2; }},
  };
}

TEST(CanonicalEvent, ChangingAnySingleFieldChangesTheBytes) {
  const auto base = testing::sample_event("w1/mgmt", 1);
  std::set<core::Bytes> seen{canonical_event(base)};
  for (const auto& [name, mutate] : single_field_mutations()) {
    auto changed = base;
    mutate(changed);
    EXPECT_TRUE(seen.insert(canonical_event(changed)).second) << name << " did not change the bytes";
  }
}

TEST(CanonicalEvent, EveryEnumValueEncodesDifferently) {
  auto event = testing::sample_event("w1/mgmt", 1);
  std::set<core::Bytes> seen;
  for (auto o : {store::Outcome::success, store::Outcome::failure, store::Outcome::denied}) {
    for (auto k : {store::ActorKind::token, store::ActorKind::jwt, store::ActorKind::cli, store::ActorKind::system}) {
      event.outcome = o;
      event.actor_kind = k;
      seen.insert(canonical_event(event));
    }
  }
  EXPECT_EQ(seen.size(), 12u);
}

TEST(CanonicalEvent, FieldBoundariesCannotShift) {
  auto a = testing::sample_event("w1/mgmt", 1);
  auto b = a;
  a.id = "ab";
  a.chain = "c";
  b.id = "a";
  b.chain = "bc";
  EXPECT_NE(canonical_event(a), canonical_event(b));

  // A value moved from one optional field to the next.
  auto c = testing::sample_event("w1/mgmt", 1);
  auto d = c;
  c.on_behalf_of = "x";
  c.key_id.reset();
  d.on_behalf_of.reset();
  d.key_id = "x";
  EXPECT_NE(canonical_event(c), canonical_event(d));
}

TEST(CanonicalEvent, AbsentDiffersFromEmpty) {
  auto absent = testing::sample_event("w1/mgmt", 1);
  auto empty = absent;
  absent.request_id.reset();
  empty.request_id = "";
  EXPECT_NE(canonical_event(absent), canonical_event(empty));
}

TEST(CanonicalEvent, SeqAndHashAreNotPartOfIt) {
  auto a = testing::sample_event("w1/mgmt", 1);
  auto b = a;
  b.seq = 42;
  b.hash = core::Bytes(32, 0xaa);
  EXPECT_EQ(canonical_event(a), canonical_event(b));
}

TEST(CanonicalEvent, TimeIsCoveredToTheMillisecond) {
  auto a = testing::sample_event("w1/mgmt", 1);
  auto b = a;
  b.time += std::chrono::microseconds(999);  // the store keeps milliseconds
  EXPECT_EQ(canonical_event(a), canonical_event(b));
  EXPECT_EQ(unix_millis(store::TimePoint(std::chrono::microseconds(-1))), -1);
}

TEST(CanonicalEvent, StartsWithTheFormatTag) {
  const auto bytes = canonical_event(testing::sample_event("w1/mgmt", 1));
  ASSERT_GT(bytes.size(), 4 + kCanonicalFormat.size());
  EXPECT_EQ(core::as_chars(core::ByteView(bytes).subspan(4, kCanonicalFormat.size())), kCanonicalFormat);
}

// Known answers computed independently by tests/audit/chain_kat.py (Python standard library only,
// written from the format in canonical.h), cross-checked for the HKDF step with
// `openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt hexkey:0001..1f -kdfopt info:keyrelay/audit/v1 HKDF`.
struct Kat {
  store::AuditEvent first;
  store::AuditEvent second;
  core::Bytes master = core::Bytes(32);
};

Kat kat() {
  Kat k;
  for (std::size_t i = 0; i < 32; ++i) k.master[i] = static_cast<std::uint8_t>(i);
  auto& e = k.first;
  e.id = "0190d6c0-0000-7000-8000-000000000001";
  e.chain = "w1/mgmt";
  e.seq = 1;
  e.time = store::TimePoint(std::chrono::milliseconds(1700000000123LL));
  e.action = "key.created";
  e.outcome = store::Outcome::success;
  e.actor_user_id = "u1";
  e.actor_kind = store::ActorKind::token;
  e.key_id = "k1";
  e.key_owner_id = "u1";
  e.provider = "openai";
  e.ip = "127.0.0.1";
  e.user_agent = "";
  e.details_json = R"({"name":"main"})";
  e.master_version = 1;
  auto& s = k.second;
  s = e;
  s.id = "0190d6c0-0000-7000-8000-000000000002";
  s.seq = 2;
  s.time = store::TimePoint(std::chrono::milliseconds(1700000000456LL));
  s.action = "key.deleted";
  s.outcome = store::Outcome::denied;
  s.actor_token_id = "t9";
  s.actor_kind = store::ActorKind::cli;
  s.on_behalf_of = "u2";
  s.ip.reset();
  s.user_agent.reset();
  s.request_id = "r-1";
  s.details_json = "{}";
  return k;
}

TEST(ChainLink, MatchesAnIndependentComputation) {
  const auto k = kat();
  auto keyring = crypto::Keyring::from_master_key(core::base64_encode(k.master));
  ASSERT_TRUE(keyring);
  auto audit_key = derive_audit_key(*keyring, 1);
  ASSERT_TRUE(audit_key);
  EXPECT_EQ(core::hex_encode(audit_key->reveal()), "cab93e23537633966412760db95ae0bb385f037aeb60f1283515a509b15ed6a4");

  const auto c1 = canonical_event(k.first);
  const auto c2 = canonical_event(k.second);
  EXPECT_EQ(core::hex_encode(crypto::sha256(c1)), "52949a37393d0fdc2002c43957af235ec043e02591e8dbcbade261302a5adef6");
  EXPECT_EQ(core::hex_encode(crypto::sha256(c2)), "d7d251cf9ada7ba457f8fdaf578243ef4b8782afcb7600df9dd613eeaf26f7cf");

  const auto h1 = chain_link(audit_key->reveal(), {}, 1, c1);
  EXPECT_EQ(core::hex_encode(h1), "1f784762a11d3171fa7dbf082ef9946b56f3d84bcea9eb19db73731f1f24abc3");
  const auto h2 = chain_link(audit_key->reveal(), h1, 2, c2);
  EXPECT_EQ(core::hex_encode(h2), "677ef3a3e71d7ce4ecef4dc72799b5b27cd2548ffec684bf2fd7f0817b59b8e9");
}

TEST(ChainLink, DependsOnKeyPrevHashSeqAndEvent) {
  const core::Bytes key(32, 1), prev(32, 2), canonical{1, 2, 3};
  const auto base = chain_link(key, prev, 5, canonical);
  EXPECT_NE(chain_link(core::Bytes(32, 9), prev, 5, canonical), base);
  EXPECT_NE(chain_link(key, core::Bytes(32, 3), 5, canonical), base);
  EXPECT_NE(chain_link(key, {}, 5, canonical), base);
  EXPECT_NE(chain_link(key, prev, 6, canonical), base);
  EXPECT_NE(chain_link(key, prev, 5, core::Bytes{1, 2, 4}), base);
  EXPECT_EQ(chain_link(key, prev, 5, canonical), base);
}

}  // namespace
}  // namespace keyrelay::audit
