#include "store_contract.h"

#include <chrono>
#include <sstream>

#include "core/ids.h"

namespace keyrelay::store::test {
namespace {

core::Bytes random_bytes(std::size_t size) {
  core::Bytes bytes(size);
  core::os_random(bytes.data(), bytes.size());
  return bytes;
}

}  // namespace

TimePoint at(std::int64_t seconds) {
  using namespace std::chrono;
  return TimePoint{sys_days{year{2026} / January / 1}.time_since_epoch() + std::chrono::seconds{seconds}};
}

void StoreContract::SetUp() {
  auto opened = GetParam().open(dir_.path(), sealer_);
  ASSERT_TRUE(opened) << opened.error().message;
  store_ = std::move(*opened);
  auto migrated = store_->migrate();
  ASSERT_TRUE(migrated) << migrated.error().message;
  ASSERT_GT(*migrated, 0);
}

std::unique_ptr<Store> StoreContract::open_again() {
  auto opened = GetParam().open(dir_.path(), sealer_);
  EXPECT_TRUE(opened) << opened.error().message;
  if (!opened) return nullptr;
  auto migrated = (*opened)->migrate();
  EXPECT_TRUE(migrated) << migrated.error().message;
  return std::move(*opened);
}

UserRecord StoreContract::make_user(std::string_view name, Role role) {
  UserRecord user;
  user.id = core::uuid_v7();
  user.name = std::string(name);
  user.role = role;
  user.salt = random_bytes(16);
  user.created_at = at(++clock_);
  return user;
}

TokenRecord StoreContract::make_token(const UserRecord& user, std::string_view name) {
  TokenRecord token;
  token.id = core::uuid_v7();
  token.user_id = user.id;
  token.name = std::string(name);
  token.hash = random_bytes(32);
  token.scopes = {"keys:read", "keys:write", "gateway"};
  token.created_at = at(++clock_);
  return token;
}

KeyRecord StoreContract::make_key(const UserRecord& owner, std::string_view provider, std::string_view name) {
  KeyRecord key;
  key.id = core::uuid_v7();
  key.owner_id = owner.id;
  key.provider = std::string(provider);
  key.name = std::string(name);
  key.hint = "…x9Qa";
  key.fingerprint = random_bytes(32);
  key.wrapped_data_key = random_bytes(60);
  key.sealed_secret = random_bytes(80);
  key.master_version = 1;
  key.created_at = at(++clock_);
  key.updated_at = key.created_at;
  return key;
}

AuditEvent StoreContract::make_event(std::string_view action, std::string_view chain) {
  AuditEvent event;
  event.id = core::uuid_v7();
  event.chain = std::string(chain);
  event.time = at(++clock_);
  event.action = std::string(action);
  event.actor_kind = ActorKind::cli;
  return event;
}

AlertRecord StoreContract::make_alert(const UserRecord& user, std::string_view rule, const KeyRecord* key) {
  AlertRecord alert;
  alert.id = core::uuid_v7();
  alert.rule = std::string(rule);
  alert.severity = AlertSeverity::warning;
  alert.status = AlertStatus::open;
  alert.user_id = user.id;
  if (key != nullptr) {
    alert.key_id = key->id;
    alert.provider = key->provider;
  }
  alert.message = "something needs attention";
  alert.first_seen = alert.last_seen = at(++clock_);
  return alert;
}

UsageDelta StoreContract::make_usage(const KeyRecord& key, TimePoint when, std::int64_t requests) {
  UsageDelta delta;
  delta.key_id = key.id;
  delta.owner_id = key.owner_id;
  delta.provider = key.provider;
  delta.at = when;
  delta.requests = requests;
  delta.input_tokens = 10 * requests;
  delta.output_tokens = 20 * requests;
  return delta;
}

UserRecord StoreContract::add_user(std::string_view name, Role role) {
  auto user = make_user(name, role);
  auto created = store_->create_user(user, make_event("user.created"));
  EXPECT_TRUE(created) << created.error().message;
  return user;
}

TokenRecord StoreContract::add_token(const UserRecord& user, std::string_view name) {
  auto token = make_token(user, name);
  auto created = store_->create_token(token, make_event("token.issued"));
  EXPECT_TRUE(created) << created.error().message;
  return token;
}

KeyRecord StoreContract::add_key(const UserRecord& owner, std::string_view provider, std::string_view name) {
  auto key = make_key(owner, provider, name);
  auto event = make_event("key.created");
  event.key_id = key.id;
  event.key_owner_id = owner.id;
  auto inserted = store_->insert_key(key, event);
  EXPECT_TRUE(inserted) << inserted.error().message;
  return key;
}

std::vector<AuditEvent> StoreContract::chain_events(std::string_view chain) {
  auto events = store_->audit_chain_events(chain, 0, 100000);
  EXPECT_TRUE(events) << events.error().message;
  return events ? *events : std::vector<AuditEvent>{};
}

std::uint64_t StoreContract::generation() {
  auto g = store_->generation();
  EXPECT_TRUE(g) << g.error().message;
  return g ? *g : 0;
}

std::string snapshot(Store& store) {
  std::ostringstream out;
  auto users = collect_pages<UserRecord>(200, [&](const PageRequest& p) { return store.list_users(p); });
  for (const auto& user : users) {
    out << text(user) << "\n";
    auto keys = store.keys_of_owner(user.id);
    EXPECT_TRUE(keys);
    if (keys)
      for (const auto& key : *keys) out << "  " << text(key) << "\n";
  }
  for (const auto& user : users) {
    UsageQuery all_usage{user.id, "0000-01-01", "9999-12-31", true, true, true};
    auto rows = store.usage(all_usage);
    EXPECT_TRUE(rows);
    if (rows)
      for (const auto& row : *rows) out << text(row) << "\n";
  }
  auto alerts = collect_pages<AlertRecord>(200, [&](const PageRequest& p) { return store.list_alerts({}, p); });
  for (const auto& alert : alerts) out << text(alert) << "\n";
  auto tokens = collect_pages<TokenRecord>(
      200, [&](const PageRequest& p) { return store.list_tokens(std::nullopt, p); });
  for (const auto& token : tokens) out << text(token) << "\n";
  auto chains = store.audit_chains();
  EXPECT_TRUE(chains);
  if (chains) {
    for (const auto& chain : *chains) {
      auto events = store.audit_chain_events(chain, 0, 100000);
      EXPECT_TRUE(events);
      if (events)
        for (const auto& event : *events) out << text(event) << "\n";
    }
  }
  auto g = store.generation();
  EXPECT_TRUE(g);
  out << "generation " << (g ? *g : 0) << "\n";
  return out.str();
}

}  // namespace keyrelay::store::test
